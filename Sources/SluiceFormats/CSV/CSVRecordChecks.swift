import SluiceCore

/// The second look at the few records the scanner flagged, done once per batch:
/// unescaping doubled quotes, transcoding Windows-1252, checking UTF-8, field counts and
/// quoting. Derived bytes are appended to the arena; raw record spans stay as read.
struct CSVRecordChecks {
    let columnNames: [String]
    let expectedFields: Int
    let encoding: TextEncoding
    let quote: UInt8
    let maxRecordBytes: Int

    func apply(to batch: inout RecordBatch, flags: [UInt8], escapedFields: [Int32]) {
        for field in escapedFields {
            unescape(field: Int(field), in: &batch)
        }
        for row in 0..<batch.rowCount {
            let rowFlags = flags[row]
            // The decoder cuts records at the limit only when they cross a chunk boundary; this
            // makes the outcome the same wherever the chunks fall.
            if rowFlags & CSVBatchBuilder.flagTooLong != 0 || Int(batch.rawEnds[row] - batch.rawStarts[row]) > maxRecordBytes {
                batch.reject(row: row, code: .csvRecordTooLong,
                             message: "record is longer than \(maxRecordBytes) bytes; skipped to the next line")
                continue
            }
            if rowFlags & CSVBatchBuilder.flagUnterminated != 0 {
                batch.reject(row: row, code: .csvUnterminatedQuote,
                             message: "a quoted field opened on line \(batch.lines[row]) is not closed before the end of the file",
                             column: columnName(at: batch.fieldCount(ofRow: row) - 1))
            }
            if rowFlags & CSVBatchBuilder.flagStrayQuote != 0 {
                batch.reject(row: row, code: .csvMalformedQuote,
                             message: "text follows a closing quote", column: strayQuoteColumn(row: row, in: batch))
            }
            let found = batch.fieldCount(ofRow: row)
            if expectedFields > 0 && found != expectedFields && rowFlags & CSVBatchBuilder.flagUnterminated == 0 {
                batch.reject(row: row, code: .csvRagged, message: "expected \(expectedFields) fields, found \(found)")
            }
            if rowFlags & CSVBatchBuilder.flagNul != 0 {
                batch.reject(row: row, code: .encodingNulByte, message: "record contains a NUL byte",
                             column: firstField(row: row, in: batch) { $0.contains(0) })
            }
            if rowFlags & CSVBatchBuilder.flagNonASCII != 0 {
                switch encoding {
                case .utf8:
                    checkUTF8(row: row, in: &batch)
                case .windows1252:
                    transcode(row: row, in: &batch)
                }
            }
        }
    }

    private func columnName(at index: Int) -> String? {
        columnNames.indices.contains(index) ? columnNames[index] : nil
    }

    private func firstField(row: Int, in batch: RecordBatch, where predicate: (ArraySlice<UInt8>) -> Bool) -> String? {
        for field in 0..<batch.fieldCount(ofRow: row) where predicate(batch.arena[batch.fieldSpan(row: row, field: field)]) {
            return columnName(at: field) ?? "field \(field + 1)"
        }
        return nil
    }

    private func strayQuoteColumn(row: Int, in batch: RecordBatch) -> String? {
        firstField(row: row, in: batch) { bytes in
            bytes.first == quote && bytes.count > 1 && bytes.dropFirst().contains(quote) && bytes.last != quote
        }
    }

    /// Replaces a quoted field's doubled quotes by single ones, in a copy at the arena's end.
    private func unescape(field: Int, in batch: inout RecordBatch) {
        let start = Int(batch.fieldStarts[field])
        let end = Int(batch.fieldEnds[field])
        let newStart = batch.arena.count
        var index = start
        while index < end {
            let byte = batch.arena[index]
            batch.arena.append(byte)
            index += (byte == quote && index + 1 < end && batch.arena[index + 1] == quote) ? 2 : 1
        }
        batch.fieldStarts[field] = Int32(newStart)
        batch.fieldEnds[field] = Int32(batch.arena.count)
    }

    private func checkUTF8(row: Int, in batch: inout RecordBatch) {
        let span = Int(batch.rawStarts[row])..<Int(batch.rawEnds[row])
        let valid = batch.arena.withUnsafeBufferPointer { UTF8Validation.isValid(UnsafeBufferPointer(rebasing: $0[span])) }
        guard !valid else { return }
        let column = firstField(row: row, in: batch) { bytes in
            bytes.withContiguousStorageIfAvailable { UTF8Validation.isValid($0) } == false
        }
        batch.reject(row: row, code: .encodingInvalidUTF8,
                     message: "invalid UTF-8; set the pipeline's encoding if the file is Windows-1252", column: column)
    }

    /// Converts the row's fields and raw record from Windows-1252 to UTF-8.
    private func transcode(row: Int, in batch: inout RecordBatch) {
        let base = Int(batch.rowFieldBase[row])
        for field in base..<Int(batch.rowFieldBase[row + 1]) {
            let span = Int(batch.fieldStarts[field])..<Int(batch.fieldEnds[field])
            guard batch.arena[span].contains(where: { $0 >= 0x80 }) else { continue }
            let (start, end) = Windows1252.appendTranscoded(span, in: &batch.arena)
            batch.fieldStarts[field] = start
            batch.fieldEnds[field] = end
        }
        let raw = Int(batch.rawStarts[row])..<Int(batch.rawEnds[row])
        let (start, end) = Windows1252.appendTranscoded(raw, in: &batch.arena)
        batch.rawStarts[row] = start
        batch.rawEnds[row] = end
    }
}

extension ReasonCode {
    /// Text follows the closing quote of a quoted field.
    public static let csvMalformedQuote: ReasonCode = "csv.malformed_quote"
}
