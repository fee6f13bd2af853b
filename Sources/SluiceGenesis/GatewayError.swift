/// A gateway call that got no usable answer.
///
/// Never carries an IBAN in clear, so it may be logged. `outcomeUnknown` says whether the
/// request may have reached the gateway and been acted on: a timeout or a lost connection after
/// the request was written, or a 5xx. Billing reconciles such an attempt by its
/// `transaction_id` before it retries, and retries only with the same `transaction_id`.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No connection was made, or it broke before the request was sent: nothing was charged.
        case notSent
        /// The call timed out or the connection broke after the request was sent.
        case noAnswer
        /// An HTTP status other than 200 (401 bad credentials, 429, 5xx, …).
        case status(Int)
        /// A 200 whose body is not a gateway answer: not XML, too large, a DTD or entities, a
        /// missing element.
        case malformedAnswer
    }

    public var kind: Kind
    /// The endpoint called (`process`, `reconcile`, `reconcile/by_date`, `chargebacks/by_date`).
    public var endpoint: String
    /// The merchant `transaction_id` involved, when there is one.
    public var transactionID: String?
    /// What went wrong, without personal data.
    public var detail: String

    public init(_ kind: Kind, endpoint: String, transactionID: String? = nil, detail: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.transactionID = transactionID
        self.detail = detail
    }

    /// Whether the gateway may have acted on the request.
    public var outcomeUnknown: Bool {
        switch kind {
        case .notSent: false
        case .noAnswer, .malformedAnswer: true
        case .status(let status): status >= 500 || status == 408
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .notSent: what = "not sent"
        case .noAnswer: what = "no answer"
        case .status(let status): what = "HTTP \(status)"
        case .malformedAnswer: what = "malformed answer"
        }
        return "gateway \(endpoint)\(transactionID.map { " (transaction \($0))" } ?? ""): \(what): \(detail)"
    }
}
