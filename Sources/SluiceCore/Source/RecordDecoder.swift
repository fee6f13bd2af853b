/// Turns the bytes of one object into `RecordBatch`es: the one interface every file format
/// (CSV, XLSX) offers to the pipeline, so stages never know which format a row came from.
///
/// Use it in two steps: `readSourceHeader()` reads the header record, then `nextBatch()`
/// returns batches until the end of the object. To resume a run, call
/// `seek(toOffset:line:sequence:)` between the two with a checkpoint's position.
///
/// Positions are format-specific but always increase through the object: a byte offset for
/// CSV, the sheet row number for XLSX. Checkpoints store them without interpreting them.
public protocol RecordDecoder {
    /// Reads the header record (detecting what needs detecting: delimiter, sheet).
    mutating func readSourceHeader() async throws -> SourceHeader

    /// Continues from a checkpoint's `next_offset`/`next_line` instead of the first data record.
    mutating func seek(toOffset offset: Int64, line: Int64, sequence: Int) async throws

    /// The next batch of at most the configured number of rows, or `nil` at the end.
    mutating func nextBatch() async throws -> RecordBatch?
}

/// The file formats Sluice reads.
public enum SourceFormat: String, Sendable, Hashable, CaseIterable {
    case csv
    case xlsx
}

/// What a decoder found before the first data record.
public struct SourceHeader: Sendable, Hashable {
    public var format: SourceFormat
    /// Header cells as text.
    public var fields: [String]
    /// Position of the first data record (byte offset for CSV, sheet row for XLSX).
    public var dataOffset: Int64
    /// Line (CSV) or sheet row (XLSX) of the first data record.
    public var dataLine: Int64
    /// The CSV delimiter in use. An XLSX decoder stores each row's raw record as CSV text
    /// with this delimiter, so reports can split raw records the same way for both formats.
    public var delimiter: UInt8
    /// The sheet read, for XLSX.
    public var sheet: String?
    /// What was detected in the content and undone before decoding, outermost first, e.g.
    /// `["gzip", "UTF-16LE → UTF-8"]`; empty for a plain file. Positions are then offsets in
    /// the decoded stream.
    public var detected: [String]
    /// Where positions end, when they are not the object's bytes: the decoded size of a
    /// gzip or UTF-16 input (an estimate). `nil` means the object's size. For progress bars.
    public var positionEnd: Int64?

    public init(
        format: SourceFormat, fields: [String], dataOffset: Int64, dataLine: Int64, delimiter: UInt8 = UInt8(ascii: ","), sheet: String? = nil,
        detected: [String] = []
    ) {
        self.format = format
        self.fields = fields
        self.dataOffset = dataOffset
        self.dataLine = dataLine
        self.delimiter = delimiter
        self.sheet = sheet
        self.detected = detected
    }
}
