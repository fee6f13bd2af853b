import SluiceBilling
import SluiceGenesis

/// What the gateway said about one transaction, whichever way it came: a notification, a
/// reconcile, a by-date page or a chargeback item. The attempt is found by `uniqueID`, else by
/// `transactionID`.
public struct GatewayObservation: Sendable, Hashable {
    public var uniqueID: String?
    public var transactionID: String?
    /// The status it tells; `nil` for an event that changes none (a retrieval request).
    public var status: AttemptStatus?
    /// A chargeback: its reason code and description go on the chargeback's record.
    public var isChargeback: Bool
    public var reasonCode: String?
    public var reasonDescription: String?
    public var amountMinor: Int64?
    public var currency: String?
    public var gatewayCode: Int?
    public var message: String?
    public var source: ChangeSource
    /// The stored notification it came from.
    public var notificationID: Int64?

    public init(
        uniqueID: String?, transactionID: String? = nil, status: AttemptStatus?, isChargeback: Bool = false, reasonCode: String? = nil,
        reasonDescription: String? = nil, amountMinor: Int64? = nil, currency: String? = nil, gatewayCode: Int? = nil, message: String? = nil,
        source: ChangeSource, notificationID: Int64? = nil
    ) {
        self.uniqueID = uniqueID
        self.transactionID = transactionID
        self.status = status
        self.isChargeback = isChargeback
        self.reasonCode = reasonCode
        self.reasonDescription = reasonDescription
        self.amountMinor = amountMinor
        self.currency = currency
        self.gatewayCode = gatewayCode
        self.message = message
        self.source = source
        self.notificationID = notificationID
    }

    /// A notification's word: a chargeback event means `chargebacked` whatever its status says;
    /// an unknown status or another event (a retrieval request) changes no status.
    public init(notification: GenesisNotification, id: Int64?) {
        let status: AttemptStatus? =
            if notification.isChargeback { .chargebacked }
            else if notification.event.isEmpty, let known = GatewayStatus(rawValue: notification.status) { AttemptStatus(known) }
            else { nil }
        self.init(
            uniqueID: notification.uniqueID, transactionID: notification.transactionID, status: status, isChargeback: notification.isChargeback,
            reasonCode: notification.reasonCode, reasonDescription: notification.reasonDescription, amountMinor: notification.amountMinor,
            currency: notification.currency, source: .notification, notificationID: id)
    }

    /// The gateway's record of a transaction (reconcile, by-date).
    public init(transaction: GatewayTransaction, source: ChangeSource) {
        let message = [transaction.message, transaction.technicalMessage].compactMap { $0 }.joined(separator: ": ")
        self.init(
            uniqueID: transaction.uniqueID, transactionID: transaction.transactionID, status: AttemptStatus(transaction.status),
            isChargeback: transaction.status == .chargebacked, reasonCode: transaction.reasonCode, amountMinor: transaction.amountMinor,
            currency: transaction.currency, gatewayCode: transaction.code, message: message.isEmpty ? nil : message, source: source)
    }

    /// A chargeback of the chargebacks by-date list.
    public init(chargeback: GatewayChargeback) {
        self.init(
            uniqueID: chargeback.originalTransactionUniqueID, status: .chargebacked, isChargeback: true, reasonCode: chargeback.reasonCode,
            reasonDescription: chargeback.reasonDescription, amountMinor: chargeback.amountMinor, currency: chargeback.currency,
            source: .chargebackSync)
    }
}
