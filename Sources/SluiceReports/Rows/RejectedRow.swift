/// One rejected row of a run as a report shows it: where it was, its original values
/// (IBANs masked unless asked otherwise) and every reason it was rejected for.
public struct RejectedRow: Sendable, Hashable {
    /// The physical line (CSV) or sheet row (XLSX) where the record starts.
    public var line: Int64
    /// The batch the row was loaded in.
    public var batch: Int
    /// The record split into the source's fields; one entry per source header column
    /// (missing fields are empty, extra fields only show in `raw`).
    public var values: [String]
    /// The record as it stood in the file, as text.
    public var raw: String
    public var reasons: [RejectionReason]
    /// Positions in `values` of the cells a reason is about, ascending.
    public var failingColumns: [Int]

    public init(line: Int64, batch: Int, values: [String], raw: String, reasons: [RejectionReason], failingColumns: [Int]) {
        self.line = line
        self.batch = batch
        self.values = values
        self.raw = raw
        self.reasons = reasons
        self.failingColumns = failingColumns
    }

    /// The reason codes joined with `; `, in the order they were recorded.
    public var reasonCodes: String { reasons.map(\.code).joined(separator: "; ") }

    /// The messages joined with `; `.
    public var messages: String { reasons.map(\.message).joined(separator: "; ") }

    /// The columns the reasons name, each once, in the order of the reasons, joined with `; `.
    public var reasonColumns: String {
        var columns: [String] = []
        for case let column? in reasons.map(\.column) where !column.isEmpty && !columns.contains(column) {
            columns.append(column)
        }
        return columns.joined(separator: "; ")
    }
}
