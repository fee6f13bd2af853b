/// One notification the gateway posted: the fields Sluice reads, from the form body.
///
/// The signature covers `unique_id` only (with the terminal's password), so every other field
/// is as trustworthy as the channel it came over: processing checks the amount against the
/// attempt's and the gateway's own record wins whenever it is asked (reconcile).
public struct GenesisNotification: Sendable, Hashable {
    public var uniqueID: String
    public var transactionID: String?
    public var transactionType: String
    public var terminalToken: String?
    /// The raw `status`, as sent (an unknown one is kept, and recorded without a change).
    public var status: String
    /// `event`: `chargeback`, `retrieval_request`, …; empty when there is none.
    public var event: String
    public var signature: String
    public var amountMinor: Int64?
    public var currency: String?
    /// `rc_code`, else `reason_code`.
    public var reasonCode: String?
    /// `rc_description`, else `reason_description`.
    public var reasonDescription: String?

    public init(
        uniqueID: String, transactionID: String? = nil, transactionType: String = "sdd_sale", terminalToken: String? = nil, status: String,
        event: String = "", signature: String, amountMinor: Int64? = nil, currency: String? = nil, reasonCode: String? = nil,
        reasonDescription: String? = nil
    ) {
        self.uniqueID = uniqueID
        self.transactionID = transactionID
        self.transactionType = transactionType
        self.terminalToken = terminalToken
        self.status = status
        self.event = event
        self.signature = signature
        self.amountMinor = amountMinor
        self.currency = currency
        self.reasonCode = reasonCode
        self.reasonDescription = reasonDescription
    }

    /// Why a form is not a notification.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case missingField(String)
        case invalidAmount(String)

        public var description: String {
            switch self {
            case .missingField(let name): "the notification has no \(name)"
            case .invalidAmount(let text): "amount must be a whole number of minor units, found '\(text)'"
            }
        }
    }

    /// Reads the fields of a form-urlencoded body; `unique_id` and `signature` are required.
    public init(form: FormFields) throws(Problem) {
        guard let uniqueID = form.nonEmpty("unique_id") else { throw .missingField("unique_id") }
        guard let signature = form.nonEmpty("signature") else { throw .missingField("signature") }
        var amount: Int64?
        if let text = form.nonEmpty("amount") {
            guard let value = Int64(text), value >= 0 else { throw .invalidAmount(text) }
            amount = value
        }
        self.init(
            uniqueID: uniqueID, transactionID: form.nonEmpty("transaction_id"), transactionType: form.nonEmpty("transaction_type") ?? "",
            terminalToken: form.nonEmpty("terminal_token"), status: form.nonEmpty("status")?.lowercased() ?? "",
            event: form.nonEmpty("event")?.lowercased() ?? "", signature: signature, amountMinor: amount, currency: form.nonEmpty("currency"),
            reasonCode: form.nonEmpty("rc_code") ?? form.nonEmpty("reason_code"),
            reasonDescription: form.nonEmpty("rc_description") ?? form.nonEmpty("reason_description"))
    }

    /// A chargeback: `status=chargebacked` or `event=chargeback`.
    public var isChargeback: Bool { status == GatewayStatus.chargebacked.rawValue || event == "chargeback" }

    /// Whether the signature signs `unique_id` with `password` (see `GenesisSignature.verify`).
    public func isSigned(by password: String) -> Bool {
        GenesisSignature.verify(signature, uniqueID: uniqueID, password: password)
    }
}
