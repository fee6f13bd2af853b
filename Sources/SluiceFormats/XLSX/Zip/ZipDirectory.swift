import SluiceCore

/// The central directory of a zip archive, read from the end of the object with two or
/// three ranged reads: the tail (end record, ZIP64 locator), then the directory itself.
///
/// Entries that could escape a target directory, are encrypted, or use a compression method
/// other than stored/deflate make the whole file refused: a workbook never has them.
struct ZipDirectory: Sendable {
    var entries: [String: ZipEntry]

    /// Every name in the archive, for messages.
    var names: [String] { entries.keys.sorted() }

    func entry(_ name: String) -> ZipEntry? { entries[name] }

    static func read(source: any ByteSource, object: SourceObject, limits: XLSXLimits) async throws -> ZipDirectory {
        let uri = object.uri
        func fail(_ reason: String) -> SluiceError { XLSXFailure.error(reason, object: uri) }
        // End of central directory record: 22 bytes plus a comment of up to 65,535 bytes.
        let tailLength = min(object.size, 22 + 65_535 + 20)
        let tailStart = object.size - tailLength
        let tail = try await readBytes(source: source, object: object, at: tailStart, count: Int(tailLength))
        guard let eocd = lastIndex(of: 0x0605_4B50, in: tail, minimumTrailing: 22) else {
            throw fail("the zip end-of-directory record is missing: the file is truncated or not a zip archive")
        }
        var entryCount = Int64(tail.le16(eocd + 10))
        var directorySize = Int64(tail.le32(eocd + 12))
        var directoryOffset = Int64(tail.le32(eocd + 16))
        // ZIP64: the locator sits just before the end record and points at the ZIP64 end record.
        if eocd >= 20, tail.le32(eocd - 20) == 0x0706_4B50 {
            let recordOffset = Int64(tail.le64(eocd - 20 + 8))
            guard recordOffset >= 0, recordOffset + 56 <= object.size else { throw fail("the ZIP64 end record points outside the file") }
            let record = try await readBytes(source: source, object: object, at: recordOffset, count: 56)
            guard record.le32(0) == 0x0606_4B50 else { throw fail("the ZIP64 end record is malformed") }
            entryCount = Int64(bitPattern: record.le64(32))
            directorySize = Int64(bitPattern: record.le64(40))
            directoryOffset = Int64(bitPattern: record.le64(48))
        }
        guard entryCount >= 0, entryCount <= Int64(limits.maxEntries) else {
            throw fail("the zip archive has \(entryCount) entries, more than the limit of \(limits.maxEntries)")
        }
        guard directorySize >= 0, directorySize <= limits.maxCentralDirectoryBytes else {
            throw fail("the zip central directory is \(directorySize) bytes, more than the limit of \(limits.maxCentralDirectoryBytes)")
        }
        guard directoryOffset >= 0, directoryOffset + directorySize <= object.size else {
            throw fail("the zip central directory lies outside the file: it is truncated or corrupt")
        }
        let directory = try await readBytes(source: source, object: object, at: directoryOffset, count: Int(directorySize))
        var entries: [String: ZipEntry] = [:]
        var position = 0
        for _ in 0..<entryCount {
            guard position + 46 <= directory.count, directory.le32(position) == 0x0201_4B50 else {
                throw fail("the zip central directory is corrupt")
            }
            let flags = directory.le16(position + 8)
            let method = directory.le16(position + 10)
            let crc = directory.le32(position + 16)
            var compressed = Int64(directory.le32(position + 20))
            var uncompressed = Int64(directory.le32(position + 24))
            let nameLength = Int(directory.le16(position + 28))
            let extraLength = Int(directory.le16(position + 30))
            let commentLength = Int(directory.le16(position + 32))
            var localOffset = Int64(directory.le32(position + 42))
            let nameStart = position + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directory.count else { throw fail("the zip central directory is corrupt") }
            let name = String(decoding: directory[nameStart..<extraStart], as: UTF8.self)
            // ZIP64 extra field: the 64-bit values, in this order, for each 32-bit field set to all ones.
            var extra = extraStart
            while extra + 4 <= extraStart + extraLength {
                let id = directory.le16(extra)
                let size = Int(directory.le16(extra + 2))
                let body = extra + 4
                guard body + size <= extraStart + extraLength else { throw fail("zip entry \(name) has a malformed extra field") }
                if id == 0x0001 {
                    var field = body
                    func next64() throws -> Int64 {
                        guard field + 8 <= body + size else { throw fail("zip entry \(name) has a malformed ZIP64 extra field") }
                        defer { field += 8 }
                        return Int64(bitPattern: directory.le64(field))
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next64() }
                    if compressed == 0xFFFF_FFFF { compressed = try next64() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next64() }
                }
                extra = body + size
            }
            guard compressed >= 0, uncompressed >= 0, localOffset >= 0, localOffset + compressed <= object.size else {
                throw fail("zip entry \(name) has sizes or an offset outside the file (corrupt ZIP64 data)")
            }
            try checkName(name, fail: fail)
            entries[name] = ZipEntry(
                name: name, method: method, flags: flags, crc32: crc, compressedSize: compressed,
                uncompressedSize: uncompressed, localHeaderOffset: localOffset)
            position = next
        }
        for entry in entries.values {
            if entry.isEncrypted {
                throw fail("zip entry \(entry.name) is encrypted; save the workbook without a password")
            }
            if entry.method != 0 && entry.method != 8 {
                throw fail("zip entry \(entry.name) uses compression method \(entry.method); only stored and deflate are read")
            }
        }
        return ZipDirectory(entries: entries)
    }

    /// Refuses names that could escape a directory if the archive were ever extracted.
    static func checkName(_ name: String, fail: (String) -> SluiceError) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasPrefix("/") || name.contains("\\") || name.contains("\0") || parts.contains("..")
            || (name.count >= 2 && name.dropFirst().first == ":") {
            throw fail("zip entry name '\(name)' is a path traversal attempt (absolute path, '..' or backslash)")
        }
    }

    /// `count` bytes of the object from `offset`.
    static func readBytes(source: any ByteSource, object: SourceObject, at offset: Int64, count: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        guard count > 0 else { return bytes }
        var reader = try await source.open(at: offset, end: offset + Int64(count), expectedETag: object.etag)
        while bytes.count < count, let chunk = try await reader.next() {
            bytes.append(contentsOf: chunk.prefix(count - bytes.count))
        }
        guard bytes.count == count else {
            throw XLSXFailure.error("the zip archive is truncated", object: object.uri)
        }
        return bytes
    }

    static func lastIndex(of signature: UInt32, in bytes: [UInt8], minimumTrailing: Int) -> Int? {
        var index = bytes.count - minimumTrailing
        while index >= 0 {
            if bytes.le32(index) == signature { return index }
            index -= 1
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    @inline(__always) func le16(_ index: Int) -> UInt16 {
        UInt16(self[index]) | UInt16(self[index + 1]) << 8
    }

    @inline(__always) func le32(_ index: Int) -> UInt32 {
        UInt32(self[index]) | UInt32(self[index + 1]) << 8 | UInt32(self[index + 2]) << 16 | UInt32(self[index + 3]) << 24
    }

    @inline(__always) func le64(_ index: Int) -> UInt64 {
        UInt64(le32(index)) | UInt64(le32(index + 4)) << 32
    }
}
