import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id: the caller's `X-Request-Id` (only letters, digits and `-_.:`
/// kept, at most 128 characters) or a new one. The id goes into `context.requestID`, into the
/// request logger's metadata as `request`, and back in the response's `X-Request-Id`; one
/// line is logged per request when it is answered (health, metrics and echoed notifications at debug, so probes do
/// not fill the log).
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = SluiceRequestContext

    public static let header = HTTPField.Name("X-Request-Id")!
    static let maxLength = 128

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap(Self.sanitize) ?? Self.makeID()
        context.requestID = id
        // Hummingbird's own per-process counter would be a second id for the same thing.
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request"] = .string(id)
        let start = ContinuousClock.now
        let level: Logger.Level = Self.isQuiet(request.uri.path) ? .debug : .info
        do {
            var response = try await next(request, context)
            response.headers[Self.header] = id
            // Thousands of echoed notifications a second are in sluice.notifications already.
            let level = response.status == .ok && request.uri.path.hasPrefix("/webhooks/") ? .debug : level
            context.logger.log(level: level, "request", metadata: [
                "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? request.uri.path),
                "status": .stringConvertible(response.status.code), "ms": .stringConvertible(Self.milliseconds(since: start)),
            ])
            return response
        } catch {
            // ProblemMiddleware answers errors; what reaches here is not an answer of ours.
            context.logger.log(level: .warning, "request failed", metadata: [
                "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? request.uri.path),
                "error": .string(String(describing: error)), "ms": .stringConvertible(Self.milliseconds(since: start)),
            ])
            throw error
        }
    }

    /// The caller's id with anything but `[A-Za-z0-9._:-]` dropped, cut at 128; `nil` if nothing is left.
    static func sanitize(_ text: String) -> String? {
        var kept = ""
        for scalar in text.unicodeScalars where kept.unicodeScalars.count < maxLength {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", ":": kept.unicodeScalars.append(scalar)
            default: continue
            }
        }
        return kept.isEmpty ? nil : kept
    }

    static func makeID() -> String {
        UUID().uuidString.lowercased()
    }

    static func isQuiet(_ path: String) -> Bool {
        path.hasPrefix("/health/") || path == "/metrics"
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
