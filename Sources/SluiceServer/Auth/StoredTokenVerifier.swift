import Logging
import PostgresNIO
import SluicePostgres

/// Tokens as `sluice token create` stored them in `sluice.api_tokens`.
public struct StoredTokenVerifier: TokenVerifier {
    let database: PostgresClient
    let logger: Logger

    public init(database: PostgresClient, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func caller(for secret: String) async throws -> Caller? {
        // Not a Sluice secret at all: no need to ask the database.
        guard secret.hasPrefix(TokenStore.secretPrefix) else { return nil }
        let token = try await PooledConnections(client: database).withConnection(logger: logger) { connection in
            try await TokenStore(connection: connection, logger: logger).lookup(secret: secret)
        }
        guard let token, !token.isRevoked, let role = Caller.Role(rawValue: token.role) else { return nil }
        return Caller(name: token.name, role: role, tokenID: token.id)
    }
}
