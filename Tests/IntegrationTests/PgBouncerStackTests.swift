import Foundation
import Logging
import NIOCore
import PostgresNIO
import SluicePostgres
import Testing

/// The local stack's PgBouncer (`SLUICE_PGBOUNCER_URL`, transaction pooling as in production),
/// reached with Sluice's own `DatabaseConfiguration` and PostgresNIO.
@Suite(.serialized)
struct PgBouncerStackTests {
    let environment: IntegrationEnvironment
    let database: DatabaseConfiguration
    var logger: Logger { environment.logger }

    init() throws {
        environment = try IntegrationEnvironment()
        database = try environment.pgbouncerDatabase()
    }

    /// PostgresNIO sends every query with the extended protocol (Parse/Bind/Execute with the
    /// unnamed statement), which transaction pooling supports; named prepared statements it
    /// would not (PgBouncer before 1.21).
    @Test func queriesWithBindsWork() async throws {
        try await withConnections(1) { connections in
            let connection = connections[0]
            for round in 0..<5 {
                let text = "sluice ✓ \(round) \(UUID().uuidString)"
                let rows = try await connection.query(
                    "SELECT \(Int64(40 + round)) + 1, \(text)::text, \(String?.none)::text IS NULL", logger: logger)
                var seen = 0
                for try await (sum, echoed, isNull) in rows.decode((Int64, String, Bool).self) {
                    #expect(sum == Int64(41 + round))
                    #expect(echoed == text)
                    #expect(isNull)
                    seen += 1
                }
                #expect(seen == 1)
            }
        }
    }

    /// What `BatchSink` does per batch: COPY inside `withTransaction`. A committed transaction
    /// is visible from a direct connection; a rolled-back one leaves nothing.
    @Test func copyInsideATransactionWorks() async throws {
        let name = IntegrationEnvironment.uniqueName("pgbouncer_copy")
        let table = "sluice_it.\(name)"
        try await withConnections(1) { connections in
            let connection = connections[0]
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS sluice_it"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (id bigint PRIMARY KEY, name text NOT NULL)"), logger: logger)
            do {
                try await connection.withTransaction(logger: logger) { connection in
                    try await connection.copyFrom(table: "sluice_it\".\"\(name)", columns: ["id", "name"], logger: logger) { writer in
                        try await writer.write(ByteBuffer(string: (1...1000).map { "\($0)\tname \($0)\n" }.joined()))
                    }
                    try await connection.query("UPDATE \(unescaped: table) SET name = 'first' WHERE id = \(Int64(1))", logger: logger)
                }
                await #expect(throws: (any Error).self) {
                    try await connection.withTransaction(logger: self.logger) { connection in
                        try await connection.copyFrom(table: "sluice_it\".\"\(name)", columns: ["id", "name"], logger: self.logger) { writer in
                            try await writer.write(ByteBuffer(string: "5001\tlater\n5002\tlater\n"))
                        }
                        throw SetupError("roll back")
                    }
                }
                #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == 1000)
                #expect(try await environment.scalar("SELECT count(*) FROM \(table) WHERE name = 'first'") == 1)
                // The client connection is still usable after the rollback.
                for try await count in try await connection.query("SELECT count(*) FROM \(unescaped: table)", logger: logger).decode(Int64.self) {
                    #expect(count == 1000)
                }
            } catch {
                _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(table)"), logger: logger)
                throw error
            }
            try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"), logger: logger)
        }
    }

    /// Transaction pooling: a client holds a server connection only for one transaction, so
    /// session state (a `SET`, a session advisory lock, LISTEN) stays behind on the server
    /// connection and does not follow the client.
    ///
    /// Deterministic: while another client's open transaction holds the server connection the
    /// first client's `SET` ran on, the first client's next statement must run on a different
    /// server connection, where its setting does not exist. Under session pooling no other
    /// client can ever get that server connection, and the test fails at the `#require`.
    @Test func sessionStateDoesNotOutliveATransaction() async throws {
        let token = UUID().uuidString
        try await withConnections(9) { connections in
            let client = connections[0]
            // A SET outside a transaction block (set_config(..., false) is session-level).
            let (firstPID, _) = try await row(
                client, "SELECT pg_backend_pid(), set_config('sluice.pgbouncer_probe', \(token), false)", as: (Int32, String).self)

            // PgBouncer hands out the most recently used idle server connection first, so the
            // first transaction normally gets it; keep the others open so none can get it twice.
            var holder: PostgresConnection?
            for connection in connections.dropFirst() {
                try await connection.query("BEGIN", logger: logger)
                if try await row(connection, "SELECT pg_backend_pid()", as: Int32.self) == firstPID {
                    holder = connection
                    break
                }
            }
            let other = try #require(holder, "no other client's transaction got server connection \(firstPID): pool_mode is not transaction")

            // Another client sees the first client's setting: it belongs to the server connection.
            let seenByOther = try await row(other, "SELECT coalesce(current_setting('sluice.pgbouncer_probe', true), '')", as: String.self)
            #expect(seenByOther == token)

            // The first client's next statement runs elsewhere, without its setting.
            let (laterPID, laterValue) = try await row(
                client, "SELECT pg_backend_pid(), coalesce(current_setting('sluice.pgbouncer_probe', true), '')", as: (Int32, String).self)
            #expect(laterPID != firstPID)
            #expect(laterValue != token)

            // Leave the pooled server connection clean.
            _ = try await row(other, "SELECT set_config('sluice.pgbouncer_probe', '', false)", as: String.self)
            for connection in connections.dropFirst() {
                try await connection.query("COMMIT", logger: logger)
            }
        }
    }

    // MARK: Helpers

    /// Opens `count` client connections to PgBouncer and closes them afterwards.
    private func withConnections<T>(_ count: Int, _ body: ([PostgresConnection]) async throws -> T) async throws -> T {
        var connections: [PostgresConnection] = []
        do {
            for _ in 0..<count {
                connections.append(try await database.connect(logger: logger))
            }
            let result = try await body(connections)
            for connection in connections { try await connection.close() }
            return result
        } catch {
            for connection in connections { try? await connection.close() }
            throw error
        }
    }

    /// The single row of `query`.
    private func row<each Column: PostgresDecodable>(
        _ connection: PostgresConnection, _ query: PostgresQuery, as type: (repeat each Column).Type
    ) async throws -> (repeat each Column) {
        var result: (repeat each Column)?
        var rows = 0
        for try await value in try await connection.query(query, logger: logger).decode(type) {
            result = value
            rows += 1
        }
        #expect(rows <= 1, "more than one row from \(query.sql)")
        guard let result else { throw SetupError("no row from: \(query.sql)") }
        return result
    }
}
