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

    public init(format: SourceFormat? = nil, dialect: CSVDialect = CSVDialect(), sheet: String? = nil, batchRows: Int = 16_384, xlsxLimits: XLSXLimits = XLSXLimits()) {
        self.format = format
        self.dialect = dialect
        self.sheet = sheet
        self.batchRows = batchRows
        self.xlsxLimits = xlsxLimits
    }
}

/// Picks the decoder for an object from its content, not its name.
public enum RecordDecoders {
    /// A decoder for `object`, ready for `readSourceHeader()`.
    public static func open(source: any ByteSource, object: SourceObject, options: DecoderOptions) async throws -> any RecordDecoder {
        let format = try await detectFormat(source: source, object: object, requested: options.format)
        switch format {
        case .csv:
            return CSVDecoder(source: source, object: object, dialect: options.dialect, batchRows: options.batchRows)
        case .xlsx:
            return XLSXDecoder(source: source, object: object, sheet: options.sheet, batchRows: options.batchRows, limits: options.xlsxLimits)
        }
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
            if requested == .xlsx, object.size > 0 {
                throw refuse("the pipeline reads XLSX (source.format: xlsx) but the file is \(kind.description)")
            }
            return .csv
        }
    }

    /// Looks at the magic number; for OLE2 files, at the directory for the entries that
    /// mark an encrypted OOXML package.
    public static func detectContent(source: any ByteSource, object: SourceObject) async throws -> ContentKind {
        guard object.size > 0 else { return .text }
        var reader = try await source.open(at: 0, end: min(object.size, 512), expectedETag: object.etag)
        var prefix: [UInt8] = []
        while prefix.count < 512, let chunk = try await reader.next() { prefix += chunk }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) || prefix.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        guard prefix.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) else { return .text }
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
