import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SluiceCore
import SluiceGenesis
import SluiceReconciliation

/// `POST /webhooks/genesis/{endpoint_token}`: the gateway's notifications.
///
/// The checks go cheapest and least revealing first: the source address (403), its rate
/// (429), the endpoint token (403), the content type (415), the size (413), the fields (400)
/// and the signature (401, stored for audit and never processed). A notification that passes
/// is stored with its processing job before the answer (`NotificationJournal`), then echoed:
/// `200` with `<notification_echo><unique_id>…</unique_id></notification_echo>`. A duplicate
/// gets the same echo. The answer never waits for processing.
struct GenesisWebhookRoute: Sendable {
    let settings: WebhookSettings
    let journal: NotificationJournal
    let limiter: SourceRateLimiter
    let metrics: ReconciliationMetrics
    let logger: Logger

    static let formType = "application/x-www-form-urlencoded"

    func handle(_ request: Request, context: SluiceRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let address = context.remoteAddress?.ipAddress ?? ""
        guard settings.allowList.allows(context.remoteAddress) else {
            throw refusal(.forbidden, "forbidden_source", "Forbidden", "notifications are not taken from \(address.isEmpty ? "this address" : address)")
        }
        guard limiter.admit(address) else {
            let problem = refusal(.tooManyRequests, "rate_limited", "Too many requests", "more than \(Int(settings.ratePerSecond)) notifications a second from \(address)")
            var response = try problem.response(from: request, context: context)
            response.headers[.retryAfter] = "1"
            return response
        }
        guard let endpoint = settings.endpoints[context.parameters.get("token") ?? ""] else {
            throw refusal(.forbidden, "unknown_endpoint", "Forbidden", "no notification endpoint has this token")
        }
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == Self.formType else {
            throw refusal(.unsupportedMediaType, "unsupported_media_type", "Unsupported media type", "a notification is \(Self.formType)")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > settings.maxBytes {
            throw tooLarge()
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: settings.maxBytes)
        } catch {
            throw tooLarge()
        }
        let bytes = body.readableBytesView
        let notification: GenesisNotification
        do {
            notification = try GenesisNotification(form: FormFields(bytes))
        } catch {
            throw refusal(.badRequest, "invalid_notification", "Invalid notification", error.description)
        }
        let signed = notification.isSigned(by: endpoint.password)
        let incoming = IncomingNotification(
            terminal: endpoint.terminal, notification: notification, signatureOK: signed, body: String(decoding: bytes, as: UTF8.self),
            sourceAddress: address)
        let receipt = try await journal.record(incoming)
        metrics.received(receipt.rawValue)
        guard signed else {
            logger.warning("notification signature failed", metadata: ["terminal": "\(endpoint.terminal)", "unique_id": "\(notification.uniqueID)", "source": "\(address)"])
            throw ProblemDetails(status: .unauthorized, code: "bad_signature", title: "Unauthorized", detail: "the signature does not sign this unique_id with the terminal's password")
        }
        metrics.acknowledged(after: ContinuousClock.now - started)
        return Response(
            status: .ok, headers: [.contentType: "application/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: GenesisNotificationEcho.xml(uniqueID: notification.uniqueID))))
    }

    /// Other methods: 405, naming the one allowed.
    static func methodNotAllowed(_ request: Request, context: SluiceRequestContext) throws -> Response {
        let problem = ProblemDetails(status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: "notifications are POSTed")
        var response = try problem.response(from: request, context: context)
        response.headers[.allow] = "POST"
        return response
    }

    private func refusal(_ status: HTTPResponse.Status, _ code: String, _ title: String, _ detail: String) -> ProblemDetails {
        metrics.received("refused_\(status.code)")
        return ProblemDetails(status: status, code: code, title: title, detail: detail)
    }

    private func tooLarge() -> ProblemDetails {
        refusal(.contentTooLarge, "too_large", "Content too large", "a notification is at most \(settings.maxBytes / 1024) KiB")
    }
}
