/// What the gateway simulator has seen since it started or was reset: `GET /_sim/stats`.
public struct GatewaySimulatorStats: Sendable, Hashable, Codable {
    /// `sdd_sale` requests that were authenticated and parsed, doublets and faulted ones included.
    public var saleRequests: Int
    /// Sales recorded and sent to the bank (approved, declined or pending): at most one per `transaction_id`.
    public var charges: Int
    /// Sales refused with 450 because their `transaction_id` was known.
    public var doublets: Int
    public var voidRequests: Int
    public var reconcileRequests: Int
    public var reconcileByDateRequests: Int
    public var chargebackRequests: Int
    /// Requests refused for a wrong or missing login (401).
    public var unauthorized: Int
    /// Requests whose body did not parse or lacked a field, or named an unknown terminal.
    public var invalidRequests: Int
    /// Injected `error` faults (answered `errorStatus`, nothing done).
    public var faultsError: Int
    /// Injected `timeoutAfterAccept` faults (done, then the answer held).
    public var faultsTimeoutAfterAccept: Int
    /// Chargebacks posted.
    public var chargebacks: Int
    /// Notification POSTs sent, re-sends and duplicates included.
    public var notificationsSent: Int
    /// Notifications the receiver echoed.
    public var notificationsAcknowledged: Int
    /// Notifications given up after `notificationAttempts` sends.
    public var notificationsFailed: Int
    /// Settlements, chargebacks and notifications scheduled and not yet done.
    public var pendingEvents: Int
    /// The most sale requests in flight at once.
    public var maxConcurrentSales: Int
    /// When the first and the last sale request arrived, in seconds since 1970.
    public var firstSaleAt: Double?
    public var lastSaleAt: Double?
    /// (sale_requests − 1) / (last − first), once there are two sale requests at different times.
    public var saleRatePerSecond: Double?

    enum CodingKeys: String, CodingKey {
        case saleRequests = "sale_requests"
        case charges
        case doublets
        case voidRequests = "void_requests"
        case reconcileRequests = "reconcile_requests"
        case reconcileByDateRequests = "reconcile_by_date_requests"
        case chargebackRequests = "chargeback_requests"
        case unauthorized
        case invalidRequests = "invalid_requests"
        case faultsError = "faults_error"
        case faultsTimeoutAfterAccept = "faults_timeout_after_accept"
        case chargebacks
        case notificationsSent = "notifications_sent"
        case notificationsAcknowledged = "notifications_acknowledged"
        case notificationsFailed = "notifications_failed"
        case pendingEvents = "pending_events"
        case maxConcurrentSales = "max_concurrent_sales"
        case firstSaleAt = "first_sale_at"
        case lastSaleAt = "last_sale_at"
        case saleRatePerSecond = "sale_rate_per_second"
    }

    public init() {
        saleRequests = 0
        charges = 0
        doublets = 0
        voidRequests = 0
        reconcileRequests = 0
        reconcileByDateRequests = 0
        chargebackRequests = 0
        unauthorized = 0
        invalidRequests = 0
        faultsError = 0
        faultsTimeoutAfterAccept = 0
        chargebacks = 0
        notificationsSent = 0
        notificationsAcknowledged = 0
        notificationsFailed = 0
        pendingEvents = 0
        maxConcurrentSales = 0
    }
}
