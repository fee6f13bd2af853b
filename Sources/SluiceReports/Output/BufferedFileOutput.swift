#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
#endif
import SluiceCore

/// A file opened for writing, with a fixed-size buffer in front of `write(2)`: a report's
/// memory stays the buffer, however many rows go through it.
final class BufferedFileOutput: ReportOutput {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// Whether `close` and `deinit` close the descriptor (not for standard output).
    private let ownsDescriptor: Bool

    /// Creates (or truncates) the file at `path`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming the path when it cannot be created.
    init(path: String, capacity: Int = 1 << 18) throws {
        self.path = path
        self.capacity = capacity
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        ownsDescriptor = true
        guard descriptor >= 0 else {
            throw SluiceError(.invalidArgument, "cannot write the report to \(path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(capacity)
    }

    /// Writes to a descriptor that stays open after `close` (standard output); `name` is what
    /// errors call it.
    init(descriptor: Int32, name: String, capacity: Int = 1 << 16) {
        path = name
        self.capacity = capacity
        self.descriptor = descriptor
        ownsDescriptor = false
        buffer.reserveCapacity(capacity)
    }

    /// The process's standard output, for a report printed rather than saved.
    static func standardOutput() -> BufferedFileOutput {
        BufferedFileOutput(descriptor: 1, name: "standard output")
    }

    deinit {
        if descriptor >= 0 && ownsDescriptor { _ = systemClose(descriptor) }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        guard descriptor >= 0 else { throw SluiceError(.internalError, "report file \(path) is closed") }
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { bytes in
                systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SluiceError(.invalidArgument, "cannot write the report to \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    func close() throws {
        try flush()
        guard ownsDescriptor else {
            descriptor = -1
            return
        }
        let result = systemClose(descriptor)
        descriptor = -1
        if result != 0 {
            throw SluiceError(.invalidArgument, "cannot write the report to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
