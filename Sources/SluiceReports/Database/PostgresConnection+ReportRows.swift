import Logging
import PostgresNIO
import SluiceCore

extension PostgresConnection {
    /// Runs a report's `query` and calls `body` with each row as `decode` reads it.
    ///
    /// The rows stream from PostgreSQL with back-pressure, one at a time, as `RejectionStore`
    /// reads rejections: memory does not grow with the number of rows.
    ///
    /// - Parameter failure: what the `SluiceError(.database)` of a failed query says.
    /// - Returns: how many rows were passed to `body`.
    nonisolated(nonsending) func forEachReportRow<Row>(
        _ query: PostgresQuery, logger: Logger, failure: String, _ body: (Row) async throws -> Void,
        decode: (PostgresRow) throws -> Row
    ) async throws -> Int {
        let rows: PostgresRowSequence
        do {
            rows = try await self.query(query, logger: logger)
        } catch {
            throw SluiceError(.database, failure, underlying: error)
        }
        var count = 0
        do {
            for try await row in rows {
                try await body(try decode(row))
                count += 1
            }
        } catch let error as SluiceError {
            // The writer's own error, as it was.
            throw error
        } catch let error as PSQLError {
            throw SluiceError(.database, failure, underlying: error)
        } catch let error as PostgresDecodingError {
            throw SluiceError(.database, failure, underlying: error)
        }
        return count
    }
}
