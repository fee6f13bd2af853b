import Crypto
import Foundation
import Logging
import PostgresNIO
import SluiceCore

/// `sluice.api_tokens`: the bearer tokens of `sluice serve`.
///
/// A secret is `slc_` and 32 random bytes in base64url; it is shown once, when it is created,
/// and only its SHA-256 is stored. A token is found by the hash of what a request presents,
/// and the stored hash is compared with it in constant time as well.
public struct TokenStore: Sendable {
    /// What a token may do, as stored (`Caller.Role` in the server has the same values).
    public static let roles = ["viewer", "operator", "admin"]

    /// The start of every secret: marks it as a Sluice token (and lets secret scanners find one).
    public static let secretPrefix = "slc_"

    /// One token, without its secret.
    public struct Token: Sendable, Hashable, Codable {
        public var id: Int64
        public var name: String
        public var role: String
        /// The first characters of the secret, e.g. `slc_Ab3dE9xQ`: enough to tell tokens apart.
        public var prefix: String
        public var createdAt: Date
        public var revokedAt: Date?
        public var lastUsedAt: Date?

        public var isRevoked: Bool { revokedAt != nil }

        enum CodingKeys: String, CodingKey {
            case id, name, role, prefix
            case createdAt = "created_at", revokedAt = "revoked_at", lastUsedAt = "last_used_at"
        }
    }

    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Creates a token and returns it with its secret, which is not stored and cannot be shown again.
    ///
    /// - Throws: `invalidArgument` for an unknown role, an empty name, or a name a live token has.
    public func create(name: String, role: String) async throws -> (token: Token, secret: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else {
            throw SluiceError(.invalidArgument, "a token needs a name of 1 to 100 characters")
        }
        guard Self.roles.contains(role) else {
            throw SluiceError(.invalidArgument, "the role must be one of \(Self.roles.joined(separator: ", ")), found '\(role)'")
        }
        let secret = Self.newSecret()
        let hash = Self.hash(secret)
        let prefix = Self.displayPrefix(secret)
        do {
            let rows = try await connection.query("""
                INSERT INTO sluice.api_tokens (name, role, token_hash, prefix) VALUES (\(name), \(role), \(Data(hash)), \(prefix))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            for try await token in rows.decode(Self.Row.self) {
                return (Self.token(token), secret)
            }
            throw SluiceError(.database, "creating the token returned no row")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SluiceError(.invalidArgument, "a token named '\(name)' exists; revoke it first or choose another name")
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.database, "cannot create the token", underlying: error)
        }
    }

    /// Revokes the live token named `nameOrID`, or, when no live token has that name and it is a
    /// number, the live token with that id. Returns the revoked token, or `nil` when none matched.
    public func revoke(_ nameOrID: String) async throws -> Token? {
        if let token = try await revoke(name: nameOrID) { return token }
        guard let id = Int64(nameOrID) else { return nil }
        return try await revoke(id: id)
    }

    /// Revokes the live token with this name; `nil` when there is none.
    public func revoke(name: String) async throws -> Token? {
        try await revoked {
            try await connection.query("""
                UPDATE sluice.api_tokens SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
        }
    }

    /// Revokes the live token with this id; `nil` when there is none.
    public func revoke(id: Int64) async throws -> Token? {
        try await revoked {
            try await connection.query("""
                UPDATE sluice.api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
        }
    }

    private func revoked(_ query: () async throws -> PostgresRowSequence) async throws -> Token? {
        do {
            for try await row in try await query().decode(Self.Row.self) {
                return Self.token(row)
            }
            return nil
        } catch {
            throw SluiceError(.database, "cannot revoke the token", underlying: error)
        }
    }

    /// Every token, oldest first; revoked ones only when asked for.
    public func list(includeRevoked: Bool = false) async throws -> [Token] {
        do {
            var tokens: [Token] = []
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM sluice.api_tokens
                WHERE \(includeRevoked) OR revoked_at IS NULL ORDER BY id
                """, logger: logger)
            for try await row in rows.decode(Self.Row.self) { tokens.append(Self.token(row)) }
            return tokens
        } catch {
            throw SluiceError(.database, "cannot list tokens", underlying: error)
        }
    }

    /// The token whose secret this is, revoked or not; `nil` for a secret no token has.
    ///
    /// Marks a live token as used, at most once a minute, in the same statement, so a busy
    /// client does not write on every request.
    public func lookup(secret: String) async throws -> Token? {
        // Not a Sluice secret at all: no need to ask the database.
        guard secret.hasPrefix(Self.secretPrefix), secret.utf8.count <= 200 else { return nil }
        let hash = Self.hash(secret)
        do {
            let rows = try await connection.query("""
                WITH found AS (
                    SELECT \(unescaped: Self.columns), token_hash FROM sluice.api_tokens WHERE token_hash = \(Data(hash))
                ), touched AS (
                    UPDATE sluice.api_tokens t SET last_used_at = now() FROM found
                    WHERE t.id = found.id AND found.revoked_at IS NULL
                      AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
                    RETURNING t.id
                )
                SELECT \(unescaped: Self.columns), token_hash FROM found
                """, logger: logger)
            for try await (id, name, role, prefix, created, revoked, used, stored) in rows.decode(
                (Int64, String, String, String, Date, Date?, Date?, Data).self)
            {
                // The index found the row by the hash; compare again without an early exit anyway.
                guard Self.constantTimeEqual([UInt8](stored), hash) else { return nil }
                return Token(id: id, name: name, role: role, prefix: prefix, createdAt: created, revokedAt: revoked, lastUsedAt: used)
            }
            return nil
        } catch {
            throw SluiceError(.database, "cannot look up the token", underlying: error)
        }
    }

    // MARK: - Secrets

    /// `slc_` and 32 bytes from the system's CSPRNG, base64url without padding (43 characters).
    static func newSecret() -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return secretPrefix + bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256 of the secret's UTF-8 bytes: what is stored and looked up.
    public static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }

    /// What listings show of a secret: the marker and 8 characters (48 of its 256 bits).
    static func displayPrefix(_ secret: String) -> String {
        String(secret.prefix(secretPrefix.count + 8))
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    // MARK: - Rows

    static let columns = "id, name, role, prefix, created_at, revoked_at, last_used_at"
    typealias Row = (Int64, String, String, String, Date, Date?, Date?)

    static func token(_ row: Row) -> Token {
        Token(id: row.0, name: row.1, role: row.2, prefix: row.3, createdAt: row.4, revokedAt: row.5, lastUsedAt: row.6)
    }
}
