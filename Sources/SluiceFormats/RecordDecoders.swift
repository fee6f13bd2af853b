import SluiceCore

/// How to read an object, whatever its format.
public struct DecoderOptions: Sendable, Hashable {
    /// `nil` detects the format from the object's first bytes.
    public var format: SourceFormat?
    public var dialect: CSVDialect
    /// For XLSX: a sheet name, or its 1-based position among the workbook's sheets.
    /// `nil` reads the first visible sheet.
    public var sheet: String?
    public var batchRows: Int
    /// Limits for XLSX files (zip bombs, columns, string lengths).
    public var xlsxLimits: XLSXLimits
    /// Limits for gzip-compressed files (gzip bombs).
    public var gzipLimits: GzipLimits

    public init(
        format: SourceFormat? = nil, dialect: CSVDialect = CSVDialect(), sheet: String? = nil, batchRows: Int = 16_384,
        xlsxLimits: XLSXLimits = XLSXLimits(), gzipLimits: GzipLimits = GzipLimits()
    ) {
        self.format = format
        self.dialect = dialect
        self.sheet = sheet
        self.batchRows = batchRows
        self.xlsxLimits = xlsxLimits
        self.gzipLimits = gzipLimits
    }
}

/// Picks the decoder for an object from its content, not its name.
///
/// Before choosing between CSV and XLSX it undoes what the first bytes reveal: gzip
/// compression (`1F 8B`), then a UTF-16 byte order mark (`FF FE`, `FE FF`), each by wrapping
/// the source in a streaming ``GzipByteSource`` or ``UTF16ByteSource``. The CSV decoder then
/// reads the decoded bytes, and its positions are offsets in the decoded stream.
public enum RecordDecoders {
    /// A decoder for `object`, ready for `readSourceHeader()`; the header's `detected` lists
    /// what was undone (`["gzip", "UTF-16LE → UTF-8"]`).
    public static func open(source: any ByteSource, object: SourceObject, options: DecoderOptions) async throws -> any RecordDecoder {
        let input = try await detectInput(source: source, object: object, options: options)
        let format = try format(of: input.kind, object: object, requested: options.format, isEmpty: input.isEmpty)
        switch format {
        case .csv:
            var dialect = options.dialect
            // The byte order mark says what the text is, whatever the pipeline's encoding says.
            if input.isTranscoded { dialect.encoding = .utf8 }
            let decoder = CSVDecoder(source: input.source, object: input.object, dialect: dialect, batchRows: options.batchRows)
            return input.detected.isEmpty ? decoder : DetectedInputDecoder(base: decoder, detected: input.detected, decodedSize: input.object.size)
        case .xlsx:
            return XLSXDecoder(source: source, object: object, sheet: options.sheet, batchRows: options.batchRows, limits: options.xlsxLimits)
        }
    }

    /// An object with its compression and UTF-16 encoding undone, ready for a decoder.
    public struct Input: Sendable {
        /// The decoded bytes: the object's source itself, or wrappers around it.
        public var source: any ByteSource
        /// The object as `source` describes it: same URI and ETag, decoded size (an estimate
        /// when wrapped: see ``GzipByteSource/estimatedSize()`` and ``UTF16ByteSource/describe()``).
        public var object: SourceObject
        /// What was undone, outermost first, e.g. `["gzip", "UTF-16LE → UTF-8"]`; also
        /// `"UTF-8 BOM"` when the (decoded) text starts with one.
        public var detected: [String]
        /// What the decoded bytes are.
        public var kind: ContentKind
        /// Whether the (decompressed) object has no bytes.
        public var isEmpty: Bool
        /// Whether UTF-16 was converted to UTF-8.
        public var isTranscoded: Bool
    }

    static let gzipMagic: [UInt8] = [0x1F, 0x8B]

    /// Looks at the first bytes for gzip, then (in the decompressed bytes) for a UTF-16 byte
    /// order mark, and wraps the source accordingly.
    ///
    /// Refused with a clear error: a gzip inside a gzip, a gzip-compressed workbook (an .xlsx
    /// is a zip already: read it uncompressed), UTF-32.
    public static func detectInput(source: any ByteSource, object: SourceObject, options: DecoderOptions = DecoderOptions()) async throws -> Input {
        func refuse(_ reason: String) -> SluiceError {
            SluiceError(.format, reason, stage: "parse", object: object.uri)
        }
        var prefix = try await readPrefix(source: source, end: min(object.size, 512), etag: object.etag)
        var input = Input(source: source, object: object, detected: [], kind: .text, isEmpty: prefix.isEmpty, isTranscoded: false)
        var compressed = false
        if prefix.starts(with: gzipMagic) {
            let gzip = GzipByteSource(inner: source, object: object, limits: options.gzipLimits)
            input.source = gzip
            input.object = try await gzip.describe()
            input.detected.append("gzip")
            compressed = true
            prefix = try await readPrefix(source: gzip, end: 512, etag: object.etag)
            input.isEmpty = prefix.isEmpty
            if prefix.starts(with: gzipMagic) {
                throw refuse("the file is gzip-compressed twice (a .gz of a .gz?); decompress it once")
            }
            let inner = contentKind(magicOf: prefix)
            if inner != .text {
                throw refuse("the file is gzip-compressed and holds \(inner.description); gzip-compressed workbooks are not read: use the workbook itself (an .xlsx is compressed already)")
            }
        }
        if prefix.starts(with: [0xFF, 0xFE, 0x00, 0x00]) || prefix.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            throw refuse("the file is UTF-32 text, which is not read; save it as UTF-8 (or UTF-16)")
        }
        let byteOrder: UTF16ByteSource.ByteOrder? =
            prefix.starts(with: [0xFF, 0xFE]) ? .littleEndian : prefix.starts(with: [0xFE, 0xFF]) ? .bigEndian : nil
        if let byteOrder {
            let utf16 = UTF16ByteSource(inner: input.source, object: input.object, byteOrder: byteOrder)
            input.source = utf16
            input.object = try await utf16.describe()
            input.detected.append("\(byteOrder.rawValue) → UTF-8")
            input.isTranscoded = true
        } else if prefix.starts(with: [0xEF, 0xBB, 0xBF]) {
            input.detected.append("UTF-8 BOM")
        }
        if !compressed && byteOrder == nil {
            input.kind = try await contentKind(prefix: prefix, source: source, object: object)
        }
        return input
    }

    /// The first bytes of `source`, up to `end` (a source may return more).
    static func readPrefix(source: any ByteSource, end: Int64, etag: String) async throws -> [UInt8] {
        guard end > 0 else { return [] }
        var reader = try await source.open(at: 0, end: end, expectedETag: etag)
        var prefix: [UInt8] = []
        while prefix.count < end, let chunk = try await reader.next() { prefix += chunk }
        return prefix
    }

    /// What the first bytes of an object are.
    public enum ContentKind: Sendable, Hashable {
        /// A zip archive (an .xlsx is one).
        case zip
        /// A legacy .xls workbook (OLE2 compound file).
        case legacyExcel
        /// An encrypted .xlsx: OOXML wrapped in an OLE2 compound file.
        case encryptedWorkbook
        /// Anything else is read as delimited text.
        case text

        var description: String {
            switch self {
            case .zip: return "a zip archive (an Excel .xlsx workbook)"
            case .legacyExcel: return "a legacy Excel .xls workbook"
            case .encryptedWorkbook: return "an encrypted Excel workbook"
            case .text: return "text, not an Excel workbook"
            }
        }
    }

    /// The format of the object's content.
    ///
    /// Content decides. A name that contradicts the content is refused, because a renamed
    /// file is usually an operator mistake: `.xlsx`/`.xlsm` whose content is not a zip, and
    /// `.csv`/`.tsv`/`.txt` whose content is a zip or an OLE2 file. Legacy .xls and encrypted
    /// workbooks are always refused. Other names are detected silently.
    public static func detectFormat(source: any ByteSource, object: SourceObject, requested: SourceFormat?) async throws -> SourceFormat {
        let kind = try await detectContent(source: source, object: object)
        return try format(of: kind, object: object, requested: requested, isEmpty: object.size == 0)
    }

    /// The format for content of `kind`, or the error that refuses it (see ``detectFormat(source:object:requested:)``).
    static func format(of kind: ContentKind, object: SourceObject, requested: SourceFormat?, isEmpty: Bool) throws -> SourceFormat {
        let name = object.uri.lowercased()
        let extensionName = name.split(separator: "/").last.flatMap { $0.split(separator: ".").count > 1 ? $0.split(separator: ".").last : nil }.map(String.init)
        func refuse(_ reason: String) -> SluiceError {
            SluiceError(.format, reason, stage: "parse", object: object.uri)
        }
        switch kind {
        case .legacyExcel:
            throw refuse("the file is a legacy Excel .xls workbook; open it in Excel or LibreOffice and save it as .xlsx (convert to .xlsx)")
        case .encryptedWorkbook:
            throw refuse("the workbook is encrypted (password-protected); save it without a password")
        case .zip:
            if let extensionName, ["csv", "tsv", "txt"].contains(extensionName) {
                throw refuse("the file is named .\(extensionName) but its content is \(kind.description); rename it or export it as CSV")
            }
            if requested == .csv {
                throw refuse("the pipeline reads CSV (source.format: csv) but the file is \(kind.description)")
            }
            return .xlsx
        case .text:
            if let extensionName, ["xlsx", "xlsm"].contains(extensionName) {
                throw refuse("the file is named .\(extensionName) but its content is \(kind.description) (a CSV renamed to .\(extensionName)?)")
            }
            if requested == .xlsx, !isEmpty {
                throw refuse("the pipeline reads XLSX (source.format: xlsx) but the file is \(kind.description)")
            }
            return .csv
        }
    }

    /// Looks at the magic number; for OLE2 files, at the directory for the entries that
    /// mark an encrypted OOXML package.
    public static func detectContent(source: any ByteSource, object: SourceObject) async throws -> ContentKind {
        guard object.size > 0 else { return .text }
        let prefix = try await readPrefix(source: source, end: min(object.size, 512), etag: object.etag)
        return try await contentKind(prefix: prefix, source: source, object: object)
    }

    /// Zip, OLE2 or text, from the magic number alone.
    static func contentKind(magicOf prefix: [UInt8]) -> ContentKind {
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) || prefix.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if prefix.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .legacyExcel }
        return .text
    }

    /// ``detectContent(source:object:)`` for a prefix already read.
    static func contentKind(prefix: [UInt8], source: any ByteSource, object: SourceObject) async throws -> ContentKind {
        let magic = contentKind(magicOf: prefix)
        guard magic == .legacyExcel else { return magic }
        // OLE2: the first directory sector lists the root entries by UTF-16 name.
        var window = prefix
        if prefix.count >= 0x34 {
            let sectorShift = Int(prefix[0x1E]) | Int(prefix[0x1F]) << 8
            let firstDirectorySector = Int64(UInt32(prefix[0x30]) | UInt32(prefix[0x31]) << 8 | UInt32(prefix[0x32]) << 16 | UInt32(prefix[0x33]) << 24)
            if sectorShift >= 9 && sectorShift <= 16 {
                let sectorSize = Int64(1) << sectorShift
                let offset = (firstDirectorySector + 1) * sectorSize
                if offset < object.size {
                    window = try await ZipDirectory.readBytes(
                        source: source, object: object, at: offset, count: Int(min(sectorSize * 4, object.size - offset)))
                }
            }
        }
        let marker = Array("EncryptedPackage".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let info = Array("EncryptionInfo".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for haystack in [window, prefix] where contains(haystack, marker) || contains(haystack, info) {
            return .encryptedWorkbook
        }
        return .legacyExcel
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}
