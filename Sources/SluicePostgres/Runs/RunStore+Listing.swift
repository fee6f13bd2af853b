import Foundation
import PostgresNIO
import SluiceCore

extension RunStore {
    /// Where a listing of runs continues: after the run started at `startedAt` with `id`
    /// (runs are listed newest first, ties broken by id), so pages stay stable while new runs
    /// start.
    public struct RunCursor: Sendable, Hashable {
        public var startedAt: Date
        public var id: UUID

        public init(startedAt: Date, id: UUID) {
            self.startedAt = startedAt
            self.id = id
        }

        /// Opaque text for a `cursor` query parameter: microseconds and id.
        public var token: String {
            let micros = Int64((startedAt.timeIntervalSince1970 * 1_000_000).rounded())
            return Data("\(micros)_\(id.uuidString.lowercased())".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }

        /// Reads `token`; `nil` for anything that is not one.
        public init?(token: String) {
            var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
            self.init(startedAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
        }
    }

    /// One page of runs, newest first, optionally of one status and one pipeline.
    ///
    /// - Returns: the runs, and the cursor of the next page when there may be one.
    public func runs(
        status: RunStatus?, pipeline: String?, startedSince since: Date? = nil, startedBefore before: Date? = nil, after cursor: RunCursor?,
        limit: Int
    ) async throws -> (runs: [RunRecord], next: RunCursor?) {
        let limit = max(1, min(limit, 500))
        // date_trunc keeps the comparison at the microseconds the cursor carries.
        let runs = try await database("list runs") {
            try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.runs
                WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                  AND (\(pipeline)::text IS NULL OR pipeline = \(pipeline))
                  AND (\(since)::timestamptz IS NULL OR started_at >= \(since))
                  AND (\(before)::timestamptz IS NULL OR started_at < \(before))
                  AND (\(cursor?.startedAt)::timestamptz IS NULL
                       OR (started_at, id) < (\(cursor?.startedAt)::timestamptz, \(cursor?.id)::uuid))
                ORDER BY started_at DESC, id DESC
                LIMIT \(limit + 1)
                """, logger: logger))
        }
        let page = Array(runs.prefix(limit))
        let next = runs.count > limit ? page.last.map { RunCursor(startedAt: $0.startedAt, id: $0.id) } : nil
        return (page, next)
    }
}
