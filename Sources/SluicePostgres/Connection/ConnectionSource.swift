import Logging
import PostgresNIO
import SluiceCore

/// Where a piece of work gets a PostgreSQL connection for as long as it needs one: a pool
/// (`PooledConnections` over a `PostgresClient`, created once per process) or a fresh
/// connection each time (`DatabaseConfiguration`, for one-shot tools and tests).
public protocol ConnectionSource: Sendable {
    /// Runs `body` with a connection, which goes back to the pool (or is closed) when `body` ends.
    func withConnection<T>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T
}

extension ConnectionSource {
    /// Runs `body` with a connection; errors that are not Sluice's (and not a cancellation: a
    /// lost lease or a shutdown) become `database` errors naming `action`.
    public func withConnection<T>(
        _ action: String, stage: StageName? = nil, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await withConnection(logger: logger, body)
        } catch let error as SluiceError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw SluiceError(.database, "cannot \(action)", stage: stage, underlying: error)
        }
    }

    /// Runs `body` with `count` connections at once, for work that keeps several busy
    /// (a run's parallel sinks). All go back when `body` ends.
    public func withConnections<T>(
        _ count: Int, logger: Logger, _ body: ([PostgresConnection]) async throws -> T
    ) async throws -> T {
        guard count > 0 else { return try await body([]) }
        return try await withConnection(logger: logger) { first in
            try await withConnections(count - 1, logger: logger) { rest in try await body([first] + rest) }
        }
    }
}

extension DatabaseConfiguration: ConnectionSource {
    public func withConnection<T>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect(logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A `PostgresClient` pool as a connection source. The client must be running (`run()`, as a
/// service of the process's `ServiceGroup`, listed before the services that use it).
public struct PooledConnections: ConnectionSource {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func withConnection<T>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                do {
                    return try await body(connection)
                } catch {
                    throw BodyFailure(error: error)
                }
            }
        } catch let failure as BodyFailure {
            throw failure.error
        } catch let error as CancellationError {
            throw error
        } catch {
            // Only the pool's own errors get here: connects failing past its retries, shut down.
            throw SluiceError(.database, "cannot get a PostgreSQL connection from the pool", underlying: error)
        }
    }

    /// Carries an error of `body` through the pool untouched.
    private struct BodyFailure: Error {
        let error: any Error
    }
}
