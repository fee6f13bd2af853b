/// Writes a VOP report as an XLSX workbook with the rejection report's machinery
/// (`XLSXTableWriter`: libxlsxwriter in constant-memory mode).
///
/// The `VOP checks` sheet has a bold, frozen header row, an autofilter, fitted column widths,
/// `line`, `score` and `latency_ms` as numbers, and the `decision` of a rejected row filled
/// red. More rows than a sheet holds continue on `VOP checks 2`, … The `Summary` sheet holds
/// the run summary, its VOP figures included; a `Notes` sheet says which cells were cut to
/// Excel's 32,767 characters, if any.
public final class XLSXVOPReportWriter: VOPReportWriter {
    public typealias Options = XLSXRejectionReportWriter.Options

    public static let sheetName = "VOP checks"
    private let table: XLSXTableWriter
    public var path: String { table.path }
    public var rowsWritten: Int { table.rowsWritten }
    private static let lineIndex = VOPReportRow.columns.firstIndex(of: "line")!
    private static let scoreIndex = VOPReportRow.columns.firstIndex(of: "score")!
    private static let latencyIndex = VOPReportRow.columns.firstIndex(of: "latency_ms")!
    private static let decisionIndex = VOPReportRow.columns.firstIndex(of: "decision")!

    /// Creates the workbook at `path`; nothing is on disk until `finish`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    public init(path: String, options: Options = Options()) throws {
        table = try XLSXTableWriter(
            path: path, header: VOPReportRow.columns, sheetName: Self.sheetName, sampleRows: options.sampleRows,
            rowsPerSheet: options.rowsPerSheet, temporaryDirectory: options.temporaryDirectory)
    }

    public func write(_ row: VOPReportRow) throws {
        typealias Cell = XLSXTableWriter.Cell
        var cells = row.values.map { Cell(text: $0) }
        cells[Self.lineIndex].number = Double(row.line)
        cells[Self.scoreIndex].number = row.score
        cells[Self.latencyIndex].number = row.roundedLatencyMs
        cells[Self.decisionIndex].failing = row.decision == "rejected"
        try table.write(line: row.line, cells: cells)
    }

    public func finish(summary: RunSummaryReport?) throws {
        try table.finish(notes: { notes }, summary: summary)
    }

    public var notes: [String] {
        table.truncationNote.map { [$0] } ?? []
    }
}
