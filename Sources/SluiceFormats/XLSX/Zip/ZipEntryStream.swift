import CZlib
import SluiceCore

/// The uncompressed bytes of one zip entry, in chunks, read forward from its local header.
///
/// Never trusts the sizes a file declares: the bytes actually produced are counted against
/// the declared size, the part's absolute limit and the compression-ratio limit, and the
/// CRC-32 is checked at the end.
struct ZipEntryStream {
    let entry: ZipEntry
    let object: SourceObject
    /// The most uncompressed bytes this part may have.
    let maxBytes: Int64
    let limits: XLSXLimits
    /// Output chunk size.
    let chunkSize: Int

    private var reader: (any ByteReader)?
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var compressedLeft: Int64
    private var compressedRead: Int64 = 0
    private var produced: Int64 = 0
    private var crc: UInt = 0
    private var inflater: Inflater?
    private var finished = false
    private var headerRead = false

    init(source: any ByteSource, object: SourceObject, entry: ZipEntry, maxBytes: Int64, limits: XLSXLimits, chunkSize: Int = 1 << 20) async throws {
        self.entry = entry
        self.object = object
        self.maxBytes = maxBytes
        self.limits = limits
        self.chunkSize = chunkSize
        self.compressedLeft = entry.compressedSize
        try Self.checkDeclared(entry: entry, maxBytes: maxBytes, limits: limits, object: object)
        // The local header (30 bytes, then name and extra field of at most 64 KiB each) and the
        // compressed data: the entry's bytes and no more.
        let end = min(object.size, entry.localHeaderOffset + 30 + 2 * 0xFFFF + entry.compressedSize)
        reader = try await source.open(at: entry.localHeaderOffset, end: end, expectedETag: object.etag)
        if entry.method == 8 {
            inflater = try Inflater(.raw)
        }
    }

    /// Refuses an entry from its directory record alone, before any byte is inflated.
    static func checkDeclared(entry: ZipEntry, maxBytes: Int64, limits: XLSXLimits, object: SourceObject) throws {
        if entry.uncompressedSize > maxBytes {
            throw XLSXFailure.error(
                "zip entry \(entry.name) declares \(entry.uncompressedSize) bytes uncompressed, more than the limit of \(maxBytes) (zip bomb?)",
                object: object.uri)
        }
        if entry.uncompressedSize > limits.ratioGraceBytes,
           entry.uncompressedSize > max(entry.compressedSize, 1) * limits.maxCompressionRatio {
            throw XLSXFailure.error(
                "zip entry \(entry.name) declares a compression ratio of \(entry.uncompressedSize / max(entry.compressedSize, 1)):1, more than the limit of \(limits.maxCompressionRatio):1 (zip bomb?)",
                object: object.uri)
        }
    }

    private func fail(_ reason: String) -> SluiceError {
        XLSXFailure.error("zip entry \(entry.name): \(reason)", object: object.uri)
    }

    /// The next chunk of uncompressed bytes, or `nil` after the last.
    mutating func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        if !headerRead { try await readLocalHeader() }
        var output = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0
        while filled < chunkSize && !finished {
            if inputPosition == input.count {
                try await refill()
                if inputPosition == input.count {
                    throw fail("the compressed data ends early: the file is truncated or corrupt")
                }
            }
            let available = min(input.count - inputPosition, Int(clamping: compressedLeft))
            if let inflater {
                let result: (consumed: Int, produced: Int, ended: Bool)
                do {
                    result = try input.withUnsafeBytes { inBuffer in
                        try output.withUnsafeMutableBytes { outBuffer in
                            try inflater.inflate(
                                input: UnsafeRawBufferPointer(rebasing: inBuffer[inputPosition..<(inputPosition + available)]),
                                output: UnsafeMutableRawBufferPointer(rebasing: outBuffer[filled...]))
                        }
                    }
                } catch let error as Inflater.InflateError {
                    throw fail("the deflate data is corrupt (\(error.message))")
                }
                inputPosition += result.consumed
                compressedLeft -= Int64(result.consumed)
                compressedRead += Int64(result.consumed)
                filled += result.produced
                produced += Int64(result.produced)
                if result.ended { finished = true }
                if result.consumed == 0 && result.produced == 0 && !result.ended && compressedLeft == 0 {
                    throw fail("the compressed data ends early: the file is truncated or corrupt")
                }
            } else {
                let count = min(available, chunkSize - filled)
                output.withUnsafeMutableBytes { outBuffer in
                    input.withUnsafeBytes { inBuffer in
                        outBuffer.baseAddress!.advanced(by: filled).copyMemory(from: inBuffer.baseAddress!.advanced(by: inputPosition), byteCount: count)
                    }
                }
                inputPosition += count
                compressedLeft -= Int64(count)
                compressedRead += Int64(count)
                filled += count
                produced += Int64(count)
                if compressedLeft == 0 { finished = true }
            }
            try checkProduced()
        }
        output.removeLast(chunkSize - filled)
        crc = output.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress, uInt($0.count)) }
        if finished {
            reader = nil
            guard produced == entry.uncompressedSize else {
                throw fail("inflates to \(produced) bytes, not the \(entry.uncompressedSize) its directory entry declares")
            }
            guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else {
                throw fail("CRC-32 mismatch: the file is corrupt")
            }
        }
        return filled == 0 && finished ? nil : output
    }

    private func checkProduced() throws {
        if produced > entry.uncompressedSize {
            throw fail("inflates to more than the \(entry.uncompressedSize) bytes its directory entry declares (zip bomb?)")
        }
        if produced > maxBytes {
            throw fail("inflates to more than the limit of \(maxBytes) bytes (zip bomb?)")
        }
        if produced > limits.ratioGraceBytes, produced > max(compressedRead, 1) * limits.maxCompressionRatio {
            throw fail("inflates more than \(limits.maxCompressionRatio) times its compressed size (zip bomb?)")
        }
    }

    private mutating func refill() async throws {
        guard compressedLeft > 0, var reader else { return }
        guard let chunk = try await reader.next() else {
            self.reader = nil
            return
        }
        self.reader = reader
        input = chunk
        inputPosition = 0
    }

    private mutating func readLocalHeader() async throws {
        headerRead = true
        guard var reader else { return }
        var header: [UInt8] = []
        while header.count < 30, let chunk = try await reader.next() { header += chunk }
        guard header.count >= 30, header.le32(0) == 0x0403_4B50 else {
            throw fail("the local header is missing: the file is corrupt")
        }
        let dataStart = 30 + Int(header.le16(26)) + Int(header.le16(28))
        while header.count < dataStart, let chunk = try await reader.next() { header += chunk }
        guard header.count >= dataStart else { throw fail("the local header is truncated") }
        self.reader = reader
        input = header
        inputPosition = dataStart
        if entry.compressedSize == 0 { finished = entry.uncompressedSize == 0 }
    }
}
