import SluiceCore

/// How a run's rejected rows are laid out in a report: where a row was, the source
/// header's columns, and which of them hold IBANs.
///
/// Columns of a report, left to right: `line` (CSV sources) or `sheet` and `sheet_row`
/// (XLSX sources), one column per source header cell, `reason_codes`, `messages`, `raw`.
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

    public static let trailingColumns = ["reason_codes", "messages", "raw"]

    /// Every column of the report, in order.
    public var columns: [String] { locationColumns + sourceColumns + Self.trailingColumns }

    /// Index in `columns` of the first source value.
    public var firstValueColumn: Int { locationColumns.count }

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
