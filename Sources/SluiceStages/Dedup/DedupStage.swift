import SluiceCore
import Synchronization

/// The `dedup` stage: rejects the second and later rows of a file that share a dedup key,
/// as `dedup.in_file`, naming the line of the first.
///
/// The key is a list of canonical columns (by default the normalised IBAN, the amount and
/// the external reference), read after validation has normalised them, so `de89 3704…` and
/// `DE893704…` are the same IBAN. Only rows still accepted are keyed: a row rejected earlier
/// is not the "first occurrence" of anything, and the index then holds exactly the rows that
/// reach the target table, which is what a resumed run reloads (`preload`).
///
/// Memory: one `FingerprintTable`, 12 bytes per slot (see there), whatever the key's length.
public final class DedupStage: Stage {
    public var name: StageName { .dedup }

    /// The key's columns, by name, in key order.
    public let keyColumns: [String]
    /// Their positions in the batch's value table.
    let keyIndices: [Int]
    private let table: Mutex<FingerprintTable>
    private let message: String

    /// - Parameters:
    ///   - keyColumns: canonical columns forming the key.
    ///   - columns: the pipeline's canonical columns, in value-table order.
    public init(keyColumns: [String], columns: [String]) throws {
        var indices: [Int] = []
        for column in keyColumns {
            guard let index = columns.firstIndex(of: column) else {
                throw SluiceError(.invalidPipeline, "dedup key column '\(column)' is not a column of the pipeline", stage: "dedup")
            }
            indices.append(index)
        }
        guard !indices.isEmpty else { throw SluiceError(.invalidPipeline, "the dedup key needs at least one column", stage: "dedup") }
        self.keyColumns = keyColumns
        self.keyIndices = indices
        self.table = Mutex(FingerprintTable())
        self.message = "same \(keyColumns.joined(separator: " + ")) as line "
    }

    /// Distinct keys seen so far.
    public var distinctKeys: Int { table.withLock { $0.count } }

    /// Bytes the fingerprint table holds now.
    public var memoryBytes: Int { table.withLock { $0.bytesUsed } }

    public func process(_ batch: inout RecordBatch) async throws {
        deduplicate(&batch)
    }

    /// The synchronous body of `process`. Keys are hashed before the table is locked, so the
    /// lock covers only the lookups.
    public func deduplicate(_ batch: inout RecordBatch) {
        guard batch.columnCount > 0 else { return }
        var rows: [Int] = []
        var fingerprints: [UInt64] = []
        rows.reserveCapacity(batch.rowCount)
        fingerprints.reserveCapacity(batch.rowCount)
        let columnCount = batch.columnCount
        batch.arena.withUnsafeBytes { arena in
            batch.valueStarts.withUnsafeBufferPointer { starts in
                batch.valueEnds.withUnsafeBufferPointer { ends in
                    batch.status.withUnsafeBufferPointer { status in
                        for row in 0..<status.count where status[row] == .accepted {
                            var hasher = KeyFingerprint()
                            for column in keyIndices {
                                let index = row * columnCount + column
                                hasher.combine(UnsafeRawBufferPointer(rebasing: arena[Int(starts[index])..<Int(ends[index])]))
                            }
                            rows.append(row)
                            fingerprints.append(hasher.finalize())
                        }
                    }
                }
            }
        }
        let duplicates: [(row: Int, first: Int64)] = table.withLock { table in
            var duplicates: [(row: Int, first: Int64)] = []
            batch.lines.withUnsafeBufferPointer { lines in
                for (row, fingerprint) in zip(rows, fingerprints) {
                    if let first = table.insert(fingerprint, line: lines[row]) { duplicates.append((row, first)) }
                }
            }
            return duplicates
        }
        for duplicate in duplicates {
            batch.reject(row: duplicate.row, code: .dedupInFile, message: message + String(duplicate.first), column: keyColumns[0])
        }
    }

    /// Registers the key of a row loaded by an earlier attempt of the same run, given its
    /// values in key order, so that a resumed run still finds duplicates of those rows.
    public func preload(line: Int64, values: [[UInt8]]) {
        var hasher = KeyFingerprint()
        for value in values {
            value.withUnsafeBytes { hasher.combine($0) }
        }
        let fingerprint = hasher.finalize()
        table.withLock { _ = $0.insert(fingerprint, line: line) }
    }
}
