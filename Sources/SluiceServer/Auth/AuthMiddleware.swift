import HTTPTypes
import Hummingbird

/// Reads `Authorization: Bearer <token>`, finds the token's caller and puts it in
/// `context.caller`. Without a header, with one that is not a bearer token, or with a token
/// that is unknown or revoked, it answers 401 problem details (`code: unauthorized`) with
/// `WWW-Authenticate: Bearer realm="sluice"`; the route is not called.
///
/// Put `RequireRole` after it to say which role a group of routes needs.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = SluiceRequestContext

    let verifier: any TokenVerifier

    public init(verifier: any TokenVerifier) {
        self.verifier = verifier
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try Self.unauthorized("this route needs a bearer token (Authorization: Bearer …)", invalidToken: false, request: request, context: context)
        }
        guard let secret = Self.bearerToken(header) else {
            return try Self.unauthorized("the Authorization header is not 'Bearer <token>'", invalidToken: true, request: request, context: context)
        }
        guard let caller = try await verifier.caller(for: secret) else {
            return try Self.unauthorized("the token is unknown or revoked", invalidToken: true, request: request, context: context)
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "caller"] = "\(caller.name)"
        return try await next(request, context)
    }

    /// The token of `Bearer <token>` (the scheme in any case, RFC 9110), or `nil` for anything else.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = String(parts[1])
        // RFC 6750's b64token characters; anything else cannot be a token of ours.
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")
        guard !token.isEmpty, token.count <= 512, token.allSatisfy({ allowed.contains($0) }) else { return nil }
        return token
    }

    static let challenge = #"Bearer realm="sluice""#

    static func unauthorized(_ detail: String, invalidToken: Bool, request: Request, context: Context) throws -> Response {
        let problem = ProblemDetails(status: .unauthorized, code: "unauthorized", title: "Unauthorized", detail: detail)
        var response = try problem.response(from: request, context: context)
        // RFC 6750: a request that sent a token that did not work also learns why.
        response.headers[.wwwAuthenticate] = invalidToken ? challenge + #", error="invalid_token""# : challenge
        return response
    }
}
