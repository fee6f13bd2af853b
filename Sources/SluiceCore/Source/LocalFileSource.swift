#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file on local disk, read through the same `ByteSource` protocol as S3 objects.
public struct LocalFileSource: ByteSource {
    public let path: String
    /// Bytes per chunk handed to the decoder.
    public var chunkSize: Int

    public init(path: String, chunkSize: Int = 1 << 18) {
        self.path = path
        self.chunkSize = chunkSize
    }

    public var displayName: String { path }

    public func describe() async throws -> SourceObject {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SluiceError(.sourceNotFound, "cannot open file: \(Self.errnoText())", object: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SluiceError(.sourceNotFound, "not a regular file", object: path)
        }
        // A local file has no ETag; size plus modification time plays that role.
        let etag = "\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        return SourceObject(uri: Self.absolutePath(path), etag: etag, size: Int64(info.st_size))
    }

    public func open(at offset: Int64, expectedETag: String?) async throws -> any ByteReader {
        if let expectedETag {
            let current = try await describe().etag
            guard current == expectedETag else {
                throw SluiceError(.sourceChanged, "file changed since the run started", object: path)
            }
        }
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SluiceError(.sourceNotFound, "cannot open file: \(Self.errnoText())", object: path)
        }
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            close(descriptor)
            throw SluiceError(.sourceRead, "cannot seek to byte \(offset): \(Self.errnoText())", object: path)
        }
        return FileReader(handle: FileHandleBox(descriptor), path: path, chunkSize: chunkSize)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = getcwd(nil, 0) else { return path }
        defer { free(cwd) }
        return String(cString: cwd) + "/" + path
    }
}

/// Closes the descriptor when the last reader copy goes away.
final class FileHandleBox {
    let descriptor: Int32
    init(_ descriptor: Int32) { self.descriptor = descriptor }
    deinit { close(descriptor) }
}

struct FileReader: ByteReader {
    let handle: FileHandleBox
    let path: String
    let chunkSize: Int

    mutating func next() async throws -> [UInt8]? {
        // Filled by read(2) directly: zeroing the chunk first would write every byte twice.
        var failure: Int32?
        let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
            var filled = 0
            while filled < chunkSize {
                let count = read(handle.descriptor, buffer.baseAddress! + filled, chunkSize - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if count == 0 { break }
                filled += count
            }
            initialized = filled
        }
        if let failure {
            throw SluiceError(.sourceRead, "read failed: \(String(cString: strerror(failure)))", object: path)
        }
        return chunk.isEmpty ? nil : chunk
    }
}
