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

    public init(format: SourceFormat? = nil, dialect: CSVDialect = CSVDialect(), sheet: String? = nil, batchRows: Int = 16_384) {
        self.format = format
        self.dialect = dialect
        self.sheet = sheet
        self.batchRows = batchRows
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
            throw SluiceError(.format, "XLSX files are not supported yet", stage: "parse", object: object.uri)
        }
    }

    /// The format of the object's content.
    public static func detectFormat(source: any ByteSource, object: SourceObject, requested: SourceFormat?) async throws -> SourceFormat {
        if let requested { return requested }
        guard object.size > 0 else { return .csv }
        var reader = try await source.open(at: 0, expectedETag: object.etag)
        let prefix = try await reader.next() ?? []
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        return .csv
    }
}
