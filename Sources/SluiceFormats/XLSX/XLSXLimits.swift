/// Limits that keep reading a workbook bounded in memory and time, whatever the file claims.
///
/// A real sheet compresses 10–30×, so the ratio limit only trips on zip bombs; every limit
/// names itself in the error it raises.
public struct XLSXLimits: Sendable, Hashable {
    /// Most uncompressed bytes of the sheet part (declared and actually inflated).
    public var maxSheetBytes: Int64 = 8 << 30
    /// Most uncompressed bytes of the shared strings part.
    public var maxSharedStringsPartBytes: Int64 = 2 << 30
    /// Most uncompressed bytes of any other part read (workbook, rels, styles, content types).
    public var maxSmallPartBytes: Int64 = 64 << 20
    /// Highest uncompressed:compressed ratio of an entry, checked once it has produced
    /// `ratioGraceBytes` (tiny parts may compress far better without harm).
    public var maxCompressionRatio: Int64 = 200
    public var ratioGraceBytes: Int64 = 1 << 20
    /// Most entries in the zip directory.
    public var maxEntries: Int = 100_000
    /// Most bytes of the zip central directory.
    public var maxCentralDirectoryBytes: Int64 = 64 << 20
    /// Most columns in a row; Excel's own limit is 16,384 (XFD).
    public var maxColumns: Int = 16_384
    /// Most characters in one cell or shared string; Excel's own limit is 32,767.
    public var maxCellCharacters: Int = 32_767
    /// Most bytes of all shared strings together (the one table that grows with the file).
    public var maxSharedStringBytes: Int = 256 << 20
    /// Most shared strings.
    public var maxSharedStrings: Int = 16 << 20

    public init() {}
}
