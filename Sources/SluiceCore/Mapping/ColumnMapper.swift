/// The `map` stage: fills a batch's canonical value table from its source fields.
///
/// It copies offsets, never bytes. Rows the decoder already rejected keep empty values.
/// A required column that is empty rejects the row with `<column>.required`, e.g. `iban.required`.
public struct ColumnMapper: Stage {
    public let mapping: ColumnMapping
    public var name: StageName { .map }

    public init(mapping: ColumnMapping) {
        self.mapping = mapping
    }

    public func process(_ batch: inout RecordBatch) async throws {
        map(&batch)
    }

    /// The synchronous body of `process`, for callers outside an async context.
    public func map(_ batch: inout RecordBatch) {
        let columnCount = mapping.columns.count
        let rows = batch.rowCount
        batch.columnCount = columnCount
        batch.valueStarts = [Int32](repeating: 0, count: rows * columnCount)
        batch.valueEnds = [Int32](repeating: 0, count: rows * columnCount)
        let sourceIndex = mapping.sourceIndex
        let requiredColumns = mapping.columns.indices.filter { mapping.columns[$0].required }
        let requiredCodes = mapping.columns.map { ReasonCode.required(column: $0.name) }
        for row in 0..<rows where batch.status[row] == .accepted {
            let base = Int(batch.rowFieldBase[row])
            let fieldCount = batch.fieldCount(ofRow: row)
            let out = row * columnCount
            for column in 0..<columnCount {
                guard let source = sourceIndex[column], source < fieldCount else { continue }
                batch.valueStarts[out + column] = batch.fieldStarts[base + source]
                batch.valueEnds[out + column] = batch.fieldEnds[base + source]
            }
            for column in requiredColumns where batch.valueStarts[out + column] == batch.valueEnds[out + column] {
                batch.reject(
                    row: row,
                    code: requiredCodes[column],
                    message: "\(mapping.columns[column].name) is required",
                    column: mapping.columns[column].name
                )
            }
        }
    }
}
