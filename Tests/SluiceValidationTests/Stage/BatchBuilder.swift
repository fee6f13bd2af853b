import SluiceCore

/// Builds mapped `RecordBatch`es by hand, the way the CSV decoder and the column mapper would.
enum BatchBuilder {
    static let debtorColumns = ["external_id", "first_name", "last_name", "email", "iban", "bic", "amount", "currency",
                                "mandate_id", "mandate_date", "address", "city", "postcode", "country"]

    /// One batch whose rows hold `rows` (already unquoted fields, in header order), mapped onto
    /// `columns` with `required` columns rejected when empty.
    static func batch(header: [String], rows: [[String]], columns: [String]? = nil, required: Set<String> = ["external_id", "iban", "amount"]) throws -> RecordBatch {
        var batch = RecordBatch(sequence: 0, object: SourceObject(uri: "memory://test.csv", etag: "t", size: 0), startOffset: 0)
        for (index, fields) in rows.enumerated() {
            let rawStart = Int32(batch.arena.count)
            for (position, field) in fields.enumerated() {
                if position > 0 { batch.arena.append(UInt8(ascii: ",")) }
                batch.fieldStarts.append(Int32(batch.arena.count))
                batch.arena.append(contentsOf: field.utf8)
                batch.fieldEnds.append(Int32(batch.arena.count))
            }
            batch.rowFieldBase.append(Int32(batch.fieldStarts.count))
            batch.rawStarts.append(rawStart)
            batch.rawEnds.append(Int32(batch.arena.count))
            batch.arena.append(UInt8(ascii: "\n"))
            batch.lines.append(Int64(index + 2))
            batch.offsets.append(Int64(rawStart))
        }
        batch.status = [RowStatus](repeating: .accepted, count: rows.count)
        batch.nextOffset = Int64(batch.arena.count)
        let specs = (columns ?? header).map { ColumnSpec(name: $0, required: required.contains($0)) }
        let mapping = try ColumnMapping(header: header, columns: specs)
        ColumnMapper(mapping: mapping).map(&batch)
        return batch
    }

    /// The mapped value of `column` in `row`, as a string.
    static func value(_ batch: RecordBatch, row: Int, column: Int) -> String {
        String(decoding: batch.arena[batch.valueSpan(row: row, column: column)], as: UTF8.self)
    }
}
