import SluiceCore
import SluiceFormats
import SluiceValidation

/// Batches as the screening stages receive them: CSV text decoded, mapped and validated by
/// the real stages before them.
enum ValidatedBatch {
    static let columns = ["external_id", "first_name", "last_name", "email", "iban", "bic", "amount"]

    /// `lines` are CSV records in `columns` order, without the header.
    static func make(_ lines: [String]) async throws -> RecordBatch {
        let text = ([columns.joined(separator: ",")] + lines).joined(separator: "\n") + "\n"
        let source = MemoryByteSource(bytes: Array(text.utf8), name: "memory://screening.csv")
        var decoder = CSVDecoder(source: source, object: try await source.describe(), batchRows: 10_000)
        let header = try await decoder.readHeader()
        guard var batch = try await decoder.nextBatch() else { throw TestSetupError() }
        let specs = columns.map { ColumnSpec(name: $0, required: ["iban", "amount"].contains($0)) }
        try await ColumnMapper(mapping: ColumnMapping(header: header.fields, columns: specs)).process(&batch)
        try await ValidationStage(columns: columns).process(&batch)
        return batch
    }

    /// Reason codes per row; `nil` for accepted rows.
    static func verdicts(_ batch: RecordBatch) -> [String?] {
        (0..<batch.rowCount).map { row in batch.rejections.first { Int($0.row) == row }?.code.rawValue }
    }

    struct TestSetupError: Error {}
}
