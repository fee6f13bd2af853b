import SluiceCore

/// The header record of a delimited file and where its data begins.
public struct CSVHeader: Sendable, Hashable {
    /// Header cells, unquoted and decoded to text.
    public var fields: [String]
    /// The delimiter in use, detected or configured.
    public var delimiter: UInt8
    /// Source offset of the first byte after the header record.
    public var dataOffset: Int64
    /// Line number of the first data record.
    public var dataLine: Int64
}
