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

    /// The synchronous body of `process`.
    public func deduplicate(_ batch: inout RecordBatch) {
        guard batch.columnCount > 0 else { return }
        table.withLock { table in
            for row in 0..<batch.rowCount where batch.status[row] == .accepted {
                let fingerprint = Self.fingerprint(of: batch, row: row, columns: keyIndices)
                if let first = table.insert(fingerprint, line: batch.lines[row]) {
                    batch.reject(row: row, code: .dedupInFile, message: message + String(first), column: keyColumns[0])
                }
            }
        }
    }

    /// Registers the key of a row loaded by an earlier attempt of the same run, given its
    /// values in key order, so that a resumed run still finds duplicates of those rows.
    public func preload(line: Int64, values: [[UInt8]]) {
        var hasher = Hasher()
        for value in values {
            hasher.combine(value.count)
            value.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        let fingerprint = UInt64(bitPattern: Int64(hasher.finalize()))
        table.withLock { _ = $0.insert(fingerprint, line: line) }
    }

    /// SipHash of the key's values, each preceded by its length so that column boundaries
    /// count (`ab|c` ≠ `a|bc`). `Hasher`'s seed is random per process, which is enough: the
    /// table lives for one process, and a resumed run rebuilds it.
    static func fingerprint(of batch: RecordBatch, row: Int, columns: [Int]) -> UInt64 {
        var hasher = Hasher()
        batch.arena.withUnsafeBytes { arena in
            for column in columns {
                let span = batch.valueSpan(row: row, column: column)
                hasher.combine(span.count)
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: arena[span]))
            }
        }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
