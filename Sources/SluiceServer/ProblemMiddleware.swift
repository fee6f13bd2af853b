import Hummingbird
import Logging
import SluiceCore

/// Turns every error a route throws into problem details, so no answer is Hummingbird's
/// default error shape: `SluiceError` by its code, Hummingbird's `HTTPError` (unknown route,
/// bad body) by its status, anything else as a 500 whose details stay in the log.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as ProblemDetails {
            return try problem.response(from: request, context: context)
        } catch let error as SluiceError {
            if error.code == .internalError || error.code == .database {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            return try ProblemDetails(error).response(from: request, context: context)
        } catch let error as HTTPError {
            let problem = ProblemDetails(
                status: error.status, code: "http_\(error.status.code)", title: error.status.reasonPhrase, detail: error.body)
            return try problem.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            let problem = ProblemDetails(status: .internalServerError, code: "internal", title: "Internal error", detail: "see the server log")
            return try problem.response(from: request, context: context)
        }
    }
}
