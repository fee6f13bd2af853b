import SluiceFormats
/// Writes a rejection report as RFC 4180 CSV in UTF-8 (no BOM, CRLF line ends), streamed
/// through a fixed buffer.
///
/// Columns: see `ReportLayout.columns`; every source column is there, however many the file
/// has. The run summary is not part of a CSV report; get it with
/// `sluice report summary RUN_ID --format csv`.
public final class CSVRejectionReportWriter: RejectionReportWriter {
    public let layout: ReportLayout
    private let output: any ReportOutput
    private var record: [UInt8] = []
    private let ibanColumn: Int?
    private let amountColumn: Int?
    public private(set) var rowsWritten = 0

    /// Creates the file at `path` and writes the header.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    public convenience init(path: String, layout: ReportLayout) throws {
        try self.init(output: BufferedFileOutput(path: path), layout: layout)
    }

    /// Writes the header to `output`, and every row after it; for a report streamed to an
    /// HTTP client, a `ChunkedReportOutput`.
    public init(output: any ReportOutput, layout: ReportLayout) throws {
        self.layout = layout
        ibanColumn = layout.ibanSourceColumn
        amountColumn = layout.amountSourceColumn
        self.output = output
        try output.write(CSVFieldQuoting.record(layout.columns))
    }

    public func write(_ row: RejectedRow) throws {
        record.removeAll(keepingCapacity: true)
        let comma = UInt8(ascii: ",")
        if layout.format == .xlsx {
            CSVFieldQuoting.append(layout.sheet ?? "", delimiter: comma, to: &record)
            record.append(comma)
        }
        record.append(contentsOf: String(row.line).utf8)
        for field in layout.leadingValues(of: row, ibanColumn: ibanColumn, amountColumn: amountColumn) {
            record.append(comma)
            CSVFieldQuoting.append(field, delimiter: comma, to: &record)
        }
        for index in layout.sourceColumns.indices {
            record.append(comma)
            CSVFieldQuoting.append(index < row.values.count ? row.values[index] : "", delimiter: comma, to: &record)
        }
        record.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        try output.write(record)
        rowsWritten += 1
    }

    public func finish(summary: RunSummaryReport?) throws {
        try output.close()
    }
}
