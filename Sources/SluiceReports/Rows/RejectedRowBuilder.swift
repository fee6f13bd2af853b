import SluiceCore
import SluiceFormats

/// Turns a stored rejection (raw record bytes plus its reasons) into a `RejectedRow`:
/// splits the record into the source's columns, masks IBANs, finds the failing cells.
public struct RejectedRowBuilder: Sendable {
    public let layout: ReportLayout
    public let masksIBANs: Bool
    private let splitter: CSVFieldSplitter
    private let ibanColumns: [Int]

    public init(layout: ReportLayout, masksIBANs: Bool = true) {
        self.layout = layout
        self.masksIBANs = masksIBANs
        self.splitter = CSVFieldSplitter(delimiter: layout.delimiter)
        self.ibanColumns = layout.ibanColumns
    }

    public func row(line: Int64, batch: Int, raw: [UInt8], reasons: [RejectionReason]) -> RejectedRow {
        let width = layout.sourceColumns.count
        var values = [String](repeating: "", count: width)
        if width > 0 {
            // A malformed record splits as far as it goes; `raw` keeps the rest.
            for (index, field) in splitter.split(raw).prefix(width).enumerated() { values[index] = field }
        }
        var rawText = String(decoding: raw, as: UTF8.self)
        if masksIBANs {
            let clear = ibanColumns.map { values[$0] }
            for column in values.indices where !values[column].isEmpty {
                // A ragged record can shift an IBAN into another column: look at all of them.
                values[column] = ibanColumns.contains(column) ? IBANMask.mask(values[column]) : IBANTextMasker.maskShapes(in: values[column])
            }
            rawText = IBANTextMasker.mask(rawText, knownValues: clear)
        }
        let failing = Set(reasons.compactMap { layout.sourceColumn(named: $0.column) }).sorted()
        return RejectedRow(line: line, batch: batch, values: values, raw: rawText, reasons: reasons, failingColumns: failing)
    }
}
