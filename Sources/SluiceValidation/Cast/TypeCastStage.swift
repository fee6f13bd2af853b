import SluiceCore

/// The `cast` stage: checks that each value of a typed column (`type:` in the pipeline file)
/// fits its type, and writes it in one canonical text form that the COPY encoder turns into
/// the column's binary PostgreSQL value.
///
/// A value that does not fit rejects its row with `<column>.type` (`amount.type`) and a
/// message naming the column, the value (an IBAN masked) and the type. An empty or blank value
/// is NULL; whether it may be empty is the required check's business. A value whose column
/// an earlier stage already rejected in that row (`iban.checksum`) is not reported again.
///
/// Canonical forms: `integer` as PostgreSQL prints a `bigint`; `numeric(p,s)` with exactly
/// `s` decimals; `date` as `YYYY-MM-DD`; `timestamp` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`;
/// `boolean` as `true`/`false`; `iban` and `bic` compact and upper-case; `email` trimmed.
/// Like the validate stage, it reads the arena as bytes and appends a value only when its
/// canonical form differs from the input.
public struct TypeCastStage: Stage {
    public var name: StageName { .cast }

    /// The pipeline's columns, in value-table order.
    public let columns: [ColumnSpec]
    let casts: [ColumnCast]

    /// - Parameters:
    ///   - columns: the pipeline's columns with their types, in value-table order.
    ///   - rules: the validation rules; dates are read in `rules.dateFormats`, and IBANs are
    ///     checked with national check digits when `rules.nationalCheckDigits`.
    public init(columns: [ColumnSpec], rules: ValidationRules = ValidationRules()) {
        self.columns = columns
        self.casts = columns.enumerated().compactMap { ColumnCast(column: $0.offset, spec: $0.element, rules: rules) }
    }

    /// Whether any column has a type other than `text`: without one the stage has nothing to do.
    public var hasTypedColumns: Bool { !casts.isEmpty }

    public func process(_ batch: inout RecordBatch) async throws {
        try cast(&batch)
    }

    /// The synchronous body of `process`.
    ///
    /// - Throws: `SluiceError` (`internal`) when the batch was not mapped onto `columns`.
    public func cast(_ batch: inout RecordBatch) throws {
        guard !casts.isEmpty, batch.rowCount > 0 else { return }
        let columnCount = batch.columnCount
        guard columnCount == columns.count else {
            throw SluiceError(
                .internalError, "the cast stage expects \(columns.count) mapped columns, the batch has \(columnCount)",
                stage: name, object: batch.object.uri)
        }
        let reported = reportedValues(batch)

        var scratch: [UInt8] = []
        // New spans per value index: into `scratch` (appended) or into the arena (trimmed).
        var rewrites: [(index: Int, start: Int32, end: Int32)] = []
        var repoints: [(index: Int, start: Int32, end: Int32)] = []
        var misfits: [(row: Int, cast: Int)] = []
        let rowCount = batch.rowCount
        batch.arena.withUnsafeBufferPointer { arena in
            batch.valueStarts.withUnsafeBufferPointer { starts in
                batch.valueEnds.withUnsafeBufferPointer { ends in
                    // Column by column, so that each column's parser is chosen once per batch.
                    for (castIndex, cast) in casts.enumerated() {
                        for row in 0..<rowCount {
                            let index = row * columnCount + cast.column
                            let start = Int(starts[index])
                            let value = UnsafeBufferPointer(rebasing: arena[start..<Int(ends[index])])
                            if value.isEmpty { continue }
                            let trimmed = UTF8Decoding.trimmed(value)
                            if trimmed.isEmpty {
                                // A blank value becomes an empty one: NULL.
                                repoints.append((index, Int32(start), Int32(start)))
                                continue
                            }
                            if !reported.isEmpty && reported[index >> 6] & (1 << UInt64(index & 63)) != 0 { continue }
                            let mark = scratch.count
                            switch cast.cast(UnsafeBufferPointer(rebasing: value[trimmed]), to: &scratch) {
                            case .misfit:
                                misfits.append((row, castIndex))
                            case .canonical:
                                if trimmed.count != value.count {
                                    repoints.append((index, Int32(start + trimmed.lowerBound), Int32(start + trimmed.upperBound)))
                                }
                            case .appended:
                                if Self.equal(scratch, from: mark, value) {
                                    scratch.removeSubrange(mark...)
                                } else {
                                    rewrites.append((index, Int32(mark), Int32(scratch.count)))
                                }
                            }
                        }
                    }
                }
            }
        }

        for repoint in repoints {
            batch.valueStarts[repoint.index] = repoint.start
            batch.valueEnds[repoint.index] = repoint.end
        }
        if !rewrites.isEmpty {
            let offset = Int32(batch.arena.count)
            batch.arena.append(contentsOf: scratch)
            for rewrite in rewrites {
                batch.valueStarts[rewrite.index] = offset + rewrite.start
                batch.valueEnds[rewrite.index] = offset + rewrite.end
            }
        }
        // In row order, as the other stages report.
        for misfit in misfits.sorted(by: { ($0.row, $0.cast) < ($1.row, $1.cast) }) {
            let cast = casts[misfit.cast]
            let message = cast.misfitMessage(batch.arena[batch.valueSpan(row: misfit.row, column: cast.column)])
            batch.reject(row: misfit.row, code: cast.code, message: message, column: cast.name)
        }
    }

    /// A bit per value (`row * columnCount + column`) of a typed column that a rejection
    /// already names; empty when the batch has no rejection.
    private func reportedValues(_ batch: RecordBatch) -> [UInt64] {
        guard !batch.rejections.isEmpty else { return [] }
        var typedColumns: [String: Int] = [:]
        for cast in casts { typedColumns[cast.name] = cast.column }
        var reported = [UInt64](repeating: 0, count: (batch.rowCount * batch.columnCount + 63) / 64)
        for rejection in batch.rejections {
            if let name = rejection.column, let column = typedColumns[name] {
                let index = Int(rejection.row) * batch.columnCount + column
                reported[index >> 6] |= 1 << UInt64(index & 63)
            }
        }
        return reported
    }

    /// Whether the bytes of `scratch` from `mark` on equal `value`.
    @inline(__always)
    private static func equal(_ scratch: [UInt8], from mark: Int, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard scratch.count - mark == value.count else { return false }
        return scratch.withUnsafeBufferPointer { scratch in
            for offset in 0..<value.count where scratch[mark + offset] != value[offset] { return false }
            return true
        }
    }
}
