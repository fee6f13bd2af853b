import SluiceFormats

/// Writes a report of ``ReportTableRow``s (VOP, billing) as CSV the way the rejection report is
/// written (`CSVFieldQuoting`: RFC 4180, UTF-8 without a BOM, CRLF), streamed through a fixed
/// buffer. Columns: `Row.columns`. The run summary is not part of a CSV report.
public final class CSVReportWriter<Row: ReportTableRow> {
    private let output: any ReportOutput
    private var record: [UInt8] = []
    public private(set) var rowsWritten = 0

    /// Creates the file at `path` and writes the header.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `path` when it cannot be written.
    public convenience init(path: String) throws {
        try self.init(output: BufferedFileOutput(path: path))
    }

    /// A writer that prints the report on standard output.
    public static func standardOutput() throws -> CSVReportWriter {
        try CSVReportWriter(output: BufferedFileOutput.standardOutput())
    }

    /// Writes the header to `output`, and every row after it; for a report streamed to an
    /// HTTP client, a `ChunkedReportOutput`.
    public init(output: any ReportOutput) throws {
        self.output = output
        try output.write(CSVFieldQuoting.record(Row.columns))
    }

    public func write(_ row: Row) throws {
        record.removeAll(keepingCapacity: true)
        for (index, field) in row.values.enumerated() {
            if index > 0 { record.append(UInt8(ascii: ",")) }
            CSVFieldQuoting.append(field, delimiter: UInt8(ascii: ","), to: &record)
        }
        record.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        try output.write(record)
        rowsWritten += 1
    }

    /// Completes the file; each report's `finish` ends here.
    func close() throws {
        try output.close()
    }
}
