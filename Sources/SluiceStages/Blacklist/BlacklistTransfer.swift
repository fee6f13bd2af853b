import Foundation
import SluiceCore
import SluiceFormats

/// Imports and exports the blacklist as CSV.
///
/// The CSV has a header with at least `kind` and `value`, and optionally `reason` and
/// `source`, in any order (export adds `display` and `created_at`, which import ignores).
/// Exported IBANs are `sha256:<hex>`, since the blacklist never holds them in clear;
/// import accepts that form as well as plain IBANs, so an export imports back unchanged.
public struct BlacklistTransfer: Sendable {
    public let store: BlacklistStore

    public init(store: BlacklistStore) {
        self.store = store
    }

    /// A line of an import file that was not imported.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var line: Int64
        public var column: String
        public var reason: String
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    public struct ImportResult: Sendable {
        public var rows = 0
        public var inserted = 0
        public var updated = 0
        public var problems: [Problem] = []
    }

    /// Imports every good line of `source`; bad lines are listed in the result, not stored.
    ///
    /// - Parameter defaultSource: `source` of lines that have no `source` column or value.
    public func importCSV(from source: any ByteSource, defaultSource: String, chunkSize: Int = 1000) async throws -> ImportResult {
        let object = try await source.describe()
        var decoder = CSVDecoder(source: source, object: object, batchRows: chunkSize)
        let header = try await decoder.readHeader()
        let names = header.fields.map(HeaderNormalizer.normalize)
        guard let kindColumn = names.firstIndex(of: "kind"), let valueColumn = names.firstIndex(of: "value") else {
            throw SluiceError(.format, "the header must have the columns kind and value (found: \(header.fields.joined(separator: ", ")))", object: object.uri, line: 1)
        }
        let reasonColumn = names.firstIndex(of: "reason")
        let sourceColumn = names.firstIndex(of: "source")
        var result = ImportResult()
        while let batch = try await decoder.nextBatch() {
            var entries: [(kind: BlacklistKind, key: String, display: String, reason: String, source: String)] = []
            for row in 0..<batch.rowCount {
                result.rows += 1
                let line = batch.lines[row]
                if batch.status[row] == .rejected {
                    let rejection = batch.rejections.first { Int($0.row) == row }
                    result.problems.append(Problem(line: line, column: rejection?.column ?? "-", reason: rejection?.message ?? "unreadable record"))
                    continue
                }
                func field(_ index: Int?) -> String {
                    guard let index, index < batch.fieldCount(ofRow: row) else { return "" }
                    return batch.text(row: row, field: index)
                }
                let kindText = field(kindColumn).trimmingCharacters(in: .whitespaces).lowercased()
                guard let kind = BlacklistKind(rawValue: kindText) else {
                    let kinds = BlacklistKind.allCases.map(\.rawValue).joined(separator: ", ")
                    result.problems.append(Problem(line: line, column: "kind", reason: "'\(kindText)' is not one of \(kinds)"))
                    continue
                }
                do {
                    let (key, display) = try kind.normalize(field(valueColumn))
                    let source = field(sourceColumn)
                    entries.append((kind, key, display, field(reasonColumn), source.isEmpty ? defaultSource : source))
                } catch let error as SluiceError {
                    result.problems.append(Problem(line: line, column: "value", reason: error.reason))
                }
            }
            let inserted = try await store.upsert(entries)
            result.inserted += inserted
            result.updated += entries.count - inserted
        }
        return result
    }

    /// Writes the blacklist as CSV through `write`, in chunks of about 64 KB.
    public func exportCSV(kind: BlacklistKind? = nil, write: (Data) async throws -> Void) async throws -> Int {
        var buffer = Data()
        buffer.append(contentsOf: CSVFieldQuoting.record(["kind", "value", "display", "reason", "source", "created_at"]))
        let timestamp = ISO8601DateFormatter()
        var count = 0
        try await store.forEachEntry(kind: kind) { entry in
            let value = entry.kind == .iban ? "sha256:" + entry.key : entry.key
            let fields = [entry.kind.rawValue, value, entry.display, entry.reason, entry.source, timestamp.string(from: entry.createdAt)]
            buffer.append(contentsOf: CSVFieldQuoting.record(fields))
            count += 1
            if buffer.count >= 64 * 1024 {
                try await write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try await write(buffer)
        return count
    }
}
