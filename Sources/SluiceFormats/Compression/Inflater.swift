import CZlib

/// zlib's inflate, for the raw deflate streams inside zip entries and for gzip members.
///
/// A class because zlib's state points back at its `z_stream`, which must not move.
final class Inflater {
    /// What surrounds the deflate data.
    enum Wrapper {
        /// None: zip entries.
        case raw
        /// A gzip member: header, then CRC-32 and size trailer, both checked by zlib.
        case gzip

        /// zlib's `windowBits`: a 32 KiB window, negative for raw, +16 for gzip only.
        var windowBits: Int32 { self == .raw ? -15 : 15 + 16 }
    }

    private let stream: UnsafeMutablePointer<z_stream>

    init(_ wrapper: Wrapper) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, wrapper.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw InflateError(message: "inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    struct InflateError: Error {
        var message: String
    }

    /// Starts the next gzip member of a multi-member file, keeping the allocated window.
    func reset() throws {
        let status = inflateReset(stream)
        guard status == Z_OK else { throw InflateError(message: "inflateReset failed (\(status))") }
    }

    /// Inflates from `input` into `output`; returns bytes consumed and produced, and whether
    /// the stream (or gzip member, its trailer read and checked) ended.
    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int, ended: Bool) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_OK, Z_BUF_ERROR: return (consumed, produced, false)
        case Z_STREAM_END: return (consumed, produced, true)
        case Z_NEED_DICT: throw InflateError(message: "a preset dictionary is required")
        default:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw InflateError(message: detail)
        }
    }
}
