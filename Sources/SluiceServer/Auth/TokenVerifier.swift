/// Finds who a bearer token belongs to: the stored tokens (`StoredTokenVerifier`), or a fixed
/// table in tests.
public protocol TokenVerifier: Sendable {
    /// The caller a secret names, or `nil` when no live token has it (unknown or revoked).
    /// Throws only when it cannot tell (the database is unavailable).
    func caller(for secret: String) async throws -> Caller?
}
