import Hummingbird

/// Lets a request through when `AuthMiddleware` found a caller whose role is at least `role`;
/// answers 403 problem details (`code: forbidden`) naming the role needed and the caller's.
public struct RequireRole: RouterMiddleware {
    public typealias Context = SluiceRequestContext

    public let role: Caller.Role

    public init(_ role: Caller.Role) {
        self.role = role
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = context.caller else {
            // Only when the group has no AuthMiddleware before this one: a wiring mistake, so refuse.
            var response = try ProblemDetails(status: .unauthorized, code: "unauthorized", title: "Unauthorized", detail: "this route needs a bearer token")
                .response(from: request, context: context)
            response.headers[.wwwAuthenticate] = AuthMiddleware.challenge
            return response
        }
        guard caller.role >= role else {
            throw ProblemDetails(
                status: .forbidden, code: "forbidden", title: "Forbidden",
                detail: "this route needs the \(role.rawValue) role; the token '\(caller.name)' has \(caller.role.rawValue)")
        }
        return try await next(request, context)
    }
}
