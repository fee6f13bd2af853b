/// One file in a zip archive, as its central directory describes it.
struct ZipEntry: Sendable, Hashable {
    var name: String
    /// 0 (stored) or 8 (deflate); anything else is refused before reading.
    var method: UInt16
    var flags: UInt16
    var crc32: UInt32
    var compressedSize: Int64
    var uncompressedSize: Int64
    /// Offset of the entry's local header from the start of the object.
    var localHeaderOffset: Int64

    var isEncrypted: Bool { flags & 1 != 0 }
}
