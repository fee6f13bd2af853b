/// Rows a stage hands the sink to write into another table in the batch's own transaction.
///
/// This is how a stage's side results become exactly-once: a payee-verification answer for the
/// cache, a billing job for an accepted row. They commit with the batch's rows and checkpoint,
/// or not at all, and a resumed run never writes them twice because it never commits a batch
/// twice. Effects are few per batch, so they are plain text values, not arena spans.
public struct StageEffect: Sendable, Hashable {
    /// `schema.table`, a plain lower-case name.
    public var table: String
    public var columns: [String]
    /// One entry per row, one value per column; `nil` is NULL.
    public var rows: [[String?]]

    public init(table: String, columns: [String], rows: [[String?]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
