import Hummingbird

/// Answers 405 with `Allow: POST` to any other method on the webhook's paths, which the router
/// alone would answer 404 (it matches methods and paths together).
struct WebhookMethodMiddleware: RouterMiddleware {
    typealias Context = SluiceRequestContext

    static let prefix = "/webhooks/genesis/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .post, request.uri.path.hasPrefix(Self.prefix) else { return try await next(request, context) }
        return try GenesisWebhookRoute.methodNotAllowed(request, context: context)
    }
}
