/// Rows a stage hands the sink to write into another table in the batch's own transaction.
///
/// This is how a stage's side results become exactly-once: a payee-verification answer for the
/// cache, a billing job for an accepted row. They commit with the batch's rows and checkpoint,
/// or not at all, and a resumed run never writes them twice because it never commits a batch
/// twice.
///
/// An effect with a few rows carries them as text values (`rows`). One with a row per batch
/// row carries them already as PostgreSQL COPY text (`copyText`, written with `CopyTextRows`),
/// so no per-row arrays of strings are built only to be encoded again.
public struct StageEffect: Sendable, Hashable {
    /// `schema.table`, a plain lower-case name.
    public var table: String
    public var columns: [String]
    /// One entry per row, one value per column; `nil` is NULL. Empty when `copyText` is set.
    public var rows: [[String?]]
    /// The rows as COPY text (tab-separated, escaped, `\N` for NULL, a newline after each row);
    /// `nil` when they are in `rows`.
    public var copyText: [UInt8]?

    public init(table: String, columns: [String], rows: [[String?]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
        self.copyText = nil
    }

    public init(table: String, columns: [String], copyText: CopyTextRows) {
        self.table = table
        self.columns = columns
        self.rows = []
        self.copyText = copyText.bytes
    }

    /// The rows as text values whichever form they came in (for tests and for effects that
    /// read their own rows back).
    public var textRows: [[String?]] {
        guard let copyText else { return rows }
        return CopyTextRows.parse(copyText)
    }
}
