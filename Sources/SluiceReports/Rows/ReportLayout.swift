import SluiceCore

/// How a run's rejected rows are laid out in a report: where a row was, the source
/// header's columns, and which of them hold IBANs.
///
/// Columns of a report, left to right: `line` (CSV sources) or `sheet` and `sheet_row`
/// (XLSX sources); then what says why and which row (`reason_codes`, `messages`,
/// `reason_columns`, `row_iban`, `row_amount`, `raw`); then one column per source header
/// cell. The identifying and reason columns come first so that a sheet too narrow for a
/// very wide file (Excel: 16,384 columns) loses source columns, never the reasons.
public struct ReportLayout: Sendable, Hashable {
    public var format: SourceFormat
    /// The source header cells; empty when the run never read a header.
    public var sourceColumns: [String]
    public var delimiter: UInt8
    public var sheet: String?
    /// Canonical column name → position in `sourceColumns`.
    public var columnSources: [String: Int]

    public init(format: SourceFormat, sourceColumns: [String], delimiter: UInt8 = UInt8(ascii: ","), sheet: String? = nil, columnSources: [String: Int] = [:]) {
        self.format = format
        self.sourceColumns = sourceColumns
        self.delimiter = delimiter
        self.sheet = sheet
        self.columnSources = columnSources.filter { sourceColumns.indices.contains($0.value) }
    }

    public init(header: SourceHeader, columnSources: [String: Int]) {
        self.init(format: header.format, sourceColumns: header.fields, delimiter: header.delimiter, sheet: header.sheet, columnSources: columnSources)
    }

    /// A run without a recorded layout: rows show only their location, reasons and raw text.
    public static let unknown = ReportLayout(format: .csv, sourceColumns: [])

    /// The columns in front of the source values.
    public var locationColumns: [String] { format == .xlsx ? ["sheet", "sheet_row"] : ["line"] }

    /// The columns between the location and the source values, in order: the reason codes
    /// and messages (joined with `; `), the columns the reasons name, the row's IBAN and
    /// amount (copied from their source columns, see ``ibanSourceColumn`` and
    /// ``amountSourceColumn``), and the raw record.
    public static let leadingColumns = ["reason_codes", "messages", "reason_columns", "row_iban", "row_amount", "raw"]

    /// Every column of the report, in order.
    public var columns: [String] { locationColumns + Self.leadingColumns + sourceColumns }

    /// Index in `columns` of the first source value.
    public var firstValueColumn: Int { locationColumns.count + Self.leadingColumns.count }

    /// The values of ``leadingColumns`` for `row`.
    public func leadingValues(of row: RejectedRow) -> [String] {
        leadingValues(of: row, ibanColumn: ibanSourceColumn, amountColumn: amountSourceColumn)
    }

    /// The values of ``leadingColumns`` for `row`, with ``ibanSourceColumn`` and
    /// ``amountSourceColumn`` worked out once by the caller (they look at every header cell).
    public func leadingValues(of row: RejectedRow, ibanColumn: Int?, amountColumn: Int?) -> [String] {
        [row.reasonCodes, row.messages, row.reasonColumns, value(of: row, at: ibanColumn), value(of: row, at: amountColumn), row.raw]
    }

    /// The position in `sourceColumns` whose value `row_iban` repeats: the column the
    /// pipeline mapped to `iban`, else the first header that reads `iban`.
    public var ibanSourceColumn: Int? { columnSources["iban"] ?? ibanColumns.first }

    /// The position in `sourceColumns` whose value `row_amount` repeats: the column the
    /// pipeline mapped to `amount`, else the first header that reads `amount`.
    public var amountSourceColumn: Int? {
        columnSources["amount"] ?? sourceColumns.firstIndex { Self.normalise($0) == "amount" }
    }

    private func value(of row: RejectedRow, at index: Int?) -> String {
        guard let index, index < row.values.count else { return "" }
        return row.values[index]
    }

    /// Positions in `sourceColumns` that hold IBANs: the one the pipeline mapped to `iban`,
    /// and any header that reads `iban` once case and punctuation are ignored.
    public var ibanColumns: [Int] {
        var result = Set(sourceColumns.indices.filter { Self.normalise(sourceColumns[$0]) == "iban" })
        if let mapped = columnSources["iban"] { result.insert(mapped) }
        return result.sorted()
    }

    /// The source position of the cell a reason names: through the pipeline's column map
    /// for canonical names, else a source header with that name; `nil` when neither knows it.
    public func sourceColumn(named name: String?) -> Int? {
        guard let name, !name.isEmpty else { return nil }
        if let mapped = columnSources[name] { return mapped }
        if let exact = sourceColumns.firstIndex(of: name) { return exact }
        let wanted = Self.normalise(name)
        return sourceColumns.firstIndex { Self.normalise($0) == wanted }
    }

    /// Lower-case letters and digits only: `"I.B.A.N "` → `iban`.
    static func normalise(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }
}
