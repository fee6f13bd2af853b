import CZlib

/// zlib's inflate for gzip members (header and CRC-32/ISIZE trailer checked by zlib).
///
/// A class because zlib's state points back at its `z_stream`, which must not move.
final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a 32 KiB window, gzip wrapper only (not zlib, not raw deflate).
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
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

    /// Starts the next member of a multi-member file, keeping the allocated window.
    func reset() throws {
        let status = inflateReset(stream)
        guard status == Z_OK else { throw InflateError(message: "inflateReset failed (\(status))") }
    }

    /// Inflates from `input` into `output`; returns bytes consumed and produced, and whether
    /// the member ended (its trailer read and checked).
    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int, ended: Bool) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_OK: return (consumed, produced, false)
        case Z_STREAM_END: return (consumed, produced, true)
        case Z_BUF_ERROR: return (consumed, produced, false)
        case Z_NEED_DICT: throw InflateError(message: "a preset dictionary is required")
        default:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw InflateError(message: detail)
        }
    }
}
