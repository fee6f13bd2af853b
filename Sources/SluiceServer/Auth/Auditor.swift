import Foundation
import Logging
import PostgresNIO
import SluicePostgres

/// Writes `sluice.audit` entries for route handlers: who (the request's caller), what, to
/// what, on which node and in which request.
public struct Auditor: Sendable {
    let database: PostgresClient
    let logger: Logger

    public init(database: PostgresClient, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Records one action of the request's caller.
    ///
    /// - Parameters:
    ///   - action: what was done, `noun.verb`: `run.start`, `run.cancel`, `run.resume`, `upload`, `blacklist.add`.
    ///   - subject: what it was done to: a job or run id, an object URL, a blacklist entry's display form.
    ///   - detail: more about it (ids, counts, states); never row data or a secret.
    public func record(_ action: String, subject: String, detail: [String: String] = [:], context: SluiceRequestContext) async throws {
        let caller = context.caller
        try await PooledConnections(client: database).withConnection(logger: logger) { connection in
            try await AuditLog(connection: connection, logger: logger).record(
                actor: caller?.name ?? "anonymous", role: caller?.role.rawValue, action: action, subject: subject, detail: detail,
                requestID: context.requestID.isEmpty ? nil : context.requestID, node: Self.node)
        }
    }

    /// This process: `host/pid`, as runs and job leases name their node.
    static let node: String = {
        // `gethostname` rather than `ProcessInfo.hostName`, which may wait on a DNS lookup.
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "unknown"
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)"
    }()
}
