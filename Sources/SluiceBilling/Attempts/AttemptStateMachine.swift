import SluiceGenesis

/// The charging of one attempt, as a value: events in, actions out. The charger performs the
/// actions; tests step through it by hand.
///
/// The promise it keeps: **a sale is sent again only after a reconcile said the gateway has no
/// such transaction**, and always with the same `transaction_id`. A declined or errored answer
/// is final for the attempt. A request that may have reached the gateway (a timeout, a broken
/// connection, a 5xx, an unreadable answer) is an unknown outcome, settled by reconciling.
///
/// ```
/// planned ─begin→ send                          sending ─begin→ reconcile   (found after a crash)
/// send ─answer→ settle(status)       ─doublet (450)→ reconcile
///      ─not sent→ send again (same id, up to maxSaleRequests)
///      ─unknown outcome→ reconcile
/// reconcile ─found→ settle(status)   ─not found→ send again (same id, up to maxSaleRequests)
///           ─failed→ leave it (the job retries later; the attempt stays sending)
/// ```
public struct AttemptStateMachine: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        case idle(AttemptStatus)
        case sending
        case reconciling
        case done(AttemptStatus)
        case deferred(String)
    }

    public enum Action: Sendable, Hashable {
        /// Record the attempt as sending (counting the request), then send the sale.
        case send
        /// Ask the gateway for the transaction by its `transaction_id`.
        case reconcile
        /// Record this status and the gateway's word; the attempt is answered.
        case settle(AttemptStatus)
        /// Stop working on the attempt for now; it stays `sending` and is reconciled later.
        case deferAttempt(reason: String)
    }

    public private(set) var phase: Phase
    /// Sale requests sent for this attempt, by every node and try so far.
    public private(set) var saleRequests: Int
    /// Sale requests this machine may send: a pass over the attempt sends at most this many,
    /// and one that ends without an answer leaves the attempt to the job's next try (after
    /// the queue's backoff), which reconciles it first.
    public let maxSaleRequests: Int
    private var sentHere = 0

    public init(status: AttemptStatus, saleRequests: Int, maxSaleRequests: Int = 3) {
        self.phase = .idle(status)
        self.saleRequests = saleRequests
        self.maxSaleRequests = max(maxSaleRequests, 1)
    }

    /// Starts work on the attempt as it was found in the database.
    public mutating func begin() -> Action {
        guard case .idle(let status) = phase else { return .deferAttempt(reason: "already started") }
        switch status {
        case .planned:
            return sendAgain()
        case .sending:
            // Sent before, by this node or a crashed one: the gateway decides what happened.
            phase = .reconciling
            return .reconcile
        default:
            phase = .done(status)
            return .settle(status)
        }
    }

    /// The gateway answered the sale.
    public mutating func saleAnswered(_ transaction: GatewayTransaction) -> Action {
        guard phase == .sending else { return .deferAttempt(reason: "an answer while not sending") }
        if transaction.isDoublet {
            // The gateway has this transaction_id already: its record says what it did.
            phase = .reconciling
            return .reconcile
        }
        let status = AttemptStatus(transaction.status)
        phase = .done(status)
        return .settle(status)
    }

    /// The sale got no usable answer.
    public mutating func saleFailed(_ error: GatewayError) -> Action {
        guard phase == .sending else { return .deferAttempt(reason: "a failure while not sending") }
        if error.outcomeUnknown {
            phase = .reconciling
            return .reconcile
        }
        return sendAgain()
    }

    /// A reconcile answered: `transaction` is the gateway's record, `nil` when it has none.
    public mutating func reconciled(_ transaction: GatewayTransaction?) -> Action {
        guard phase == .reconciling else { return .deferAttempt(reason: "a reconcile while not reconciling") }
        guard let transaction else { return sendAgain() }
        let status = AttemptStatus(transaction.status)
        phase = .done(status)
        return .settle(status)
    }

    /// The reconcile itself failed: the outcome stays unknown, and nothing is sent.
    public mutating func reconcileFailed(_ error: GatewayError) -> Action {
        let reason = "reconcile failed: \(error)"
        phase = .deferred(reason)
        return .deferAttempt(reason: reason)
    }

    private mutating func sendAgain() -> Action {
        guard sentHere < maxSaleRequests else {
            let reason = "\(sentHere) sale requests in a row without an answer"
            phase = .deferred(reason)
            return .deferAttempt(reason: reason)
        }
        sentHere += 1
        saleRequests += 1
        phase = .sending
        return .send
    }
}
