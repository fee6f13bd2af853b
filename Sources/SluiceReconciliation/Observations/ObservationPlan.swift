import SluiceBilling

/// The writes a list of observations makes, decided as a value before anything is written:
/// each observation is judged against the attempt as the ones before it left it (two statuses
/// of one attempt in one batch apply in order), and its effects on the attempt, its history,
/// the debtor's profile, the chargebacks and the blacklist are collected for a few batched
/// statements (`ObservationLedger`).
public struct ObservationPlan: Sendable, Hashable {
    /// The attempt's row after every observation of the batch.
    public struct AttemptChange: Sendable, Hashable {
        public var attemptID: Int64
        public var status: AttemptStatus
        public var uniqueID: String?
        public var reasonCode: String?
        public var gatewayCode: Int?
        public var message: String?
        /// It left planned, sending or pending for a settled status.
        public var settled: Bool
        /// It was charged back, with this reason code.
        public var chargebackReason: String?
    }

    /// One row of `sluice.attempt_events`.
    public struct Event: Sendable, Hashable {
        public var attemptID: Int64
        public var from: AttemptStatus
        public var to: AttemptStatus
        public var applied: Bool
        public var source: ChangeSource
        public var notificationID: Int64?
        public var reasonCode: String?
        public var detail: String
    }

    /// What the batch does to one debtor's profile.
    public struct ProfileChange: Sendable, Hashable {
        public var ibanHashHex: String
        /// Minor units the cap gets back: a refused, voided, refunded or charged-back charge.
        public var giveBackMinor: Int64 = 0
        /// A charge was accepted for the first time: the profile's cycle lock starts.
        public var startsCycle = false
        /// The attempt the profile waited on is final.
        public var releasedTransactionID: String?
        /// A chargeback deactivates the profile; this is why.
        public var deactivation: String?
    }

    /// One row of `sluice.chargebacks`.
    public struct Chargeback: Sendable, Hashable {
        public var uniqueID: String
        public var attemptID: Int64?
        public var reasonCode: String
        public var reasonDescription: String
        public var amountMinor: Int64?
        public var currency: String?
        public var source: ChangeSource
        /// The IBAN goes on the blacklist (the code is in the policy's list).
        public var blacklist: Bool
        public var ibanHashHex: String?
        public var ibanMasked: String?
    }

    public private(set) var results: [ObservationResult] = []
    public private(set) var attempts: [Int64: AttemptChange] = [:]
    public private(set) var events: [Event] = []
    public private(set) var profiles: [String: ProfileChange] = [:]
    public private(set) var chargebacks: [Chargeback] = []
    /// Unique ids of charged-back transactions whose chargeback was reversed.
    public private(set) var reversals: [String] = []

    /// - Parameters:
    ///   - observations: in the order they happened (notifications in the order received).
    ///   - attempts: the attempts they name, as locked.
    public init(_ observations: [GatewayObservation], attempts: [AttemptSnapshot], policy: ChargebackPolicy) {
        var current: [Int64: AttemptSnapshot] = [:]
        var byUniqueID: [String: Int64] = [:]
        var byTransactionID: [String: Int64] = [:]
        for attempt in attempts {
            current[attempt.id] = attempt
            if let id = attempt.uniqueID { byUniqueID[id] = attempt.id }
            if let id = attempt.transactionID { byTransactionID[id] = attempt.id }
        }
        for observation in observations {
            let attemptID = observation.uniqueID.flatMap { byUniqueID[$0] } ?? observation.transactionID.flatMap { byTransactionID[$0] }
            guard let attemptID, var attempt = current[attemptID] else {
                results.append(ObservationResult(outcome: .unknownTransaction, attemptID: nil, detail: Self.unknown(observation)))
                if observation.isChargeback, let uniqueID = observation.uniqueID {
                    chargebacks.append(Self.chargeback(observation, uniqueID: uniqueID, attempt: nil, blacklist: false))
                }
                continue
            }
            let result = judge(observation, attempt: &attempt, policy: policy)
            results.append(result)
            current[attemptID] = attempt
            if let uniqueID = attempt.uniqueID { byUniqueID[uniqueID] = attemptID }
        }
    }

    /// Judges one observation of `attempt` and collects its writes; `attempt` leaves as it is after.
    private mutating func judge(_ observation: GatewayObservation, attempt: inout AttemptSnapshot, policy: ChargebackPolicy) -> ObservationResult {
        let from = attempt.status
        guard let to = observation.status else {
            events.append(event(observation, attempt: attempt, to: from, applied: false, detail: "an event that changes no status"))
            return ObservationResult(outcome: .recorded, attemptID: attempt.id, detail: "an event that changes no status")
        }
        if observation.source == .notification, !observation.isChargeback, let told = observation.amountMinor, let own = attempt.amountMinor, told != own {
            let detail = "the notification says \(told) minor units, the attempt is \(own): not applied"
            events.append(event(observation, attempt: attempt, to: to, applied: false, detail: detail))
            return ObservationResult(outcome: .amountMismatch, attemptID: attempt.id, detail: detail)
        }
        switch StatusTransition(from: from, to: to) {
        case .unchanged:
            return ObservationResult(outcome: .unchanged, attemptID: attempt.id, detail: "already \(to.rawValue)")
        case .stale:
            let detail = "\(to.rawValue) after \(from.rawValue): a status never moves back"
            events.append(event(observation, attempt: attempt, to: to, applied: false, detail: detail))
            return ObservationResult(outcome: .stale, attemptID: attempt.id, detail: detail)
        case .apply:
            break
        }
        events.append(event(observation, attempt: attempt, to: to, applied: true, detail: ""))
        var change = attempts[attempt.id] ?? AttemptChange(
            attemptID: attempt.id, status: to, uniqueID: nil, reasonCode: nil, gatewayCode: nil, message: nil, settled: false, chargebackReason: nil)
        change.status = to
        change.uniqueID = observation.uniqueID ?? change.uniqueID
        change.reasonCode = observation.reasonCode ?? change.reasonCode
        change.gatewayCode = observation.gatewayCode ?? change.gatewayCode
        change.message = observation.message ?? change.message
        let wasOpen = from == .planned || from == .sending || from == .pending
        if wasOpen && to != .pending { change.settled = true }

        var profile = profiles[attempt.ibanHashHex] ?? ProfileChange(ibanHashHex: attempt.ibanHashHex)
        let amount = attempt.amountMinor ?? 0
        switch to.profileOutcome {
        case .refused?:
            profile.giveBackMinor += amount
        case .accepted?:
            // The cycle starts with the first acceptance: a pending answer already started it.
            if from == .planned || from == .sending { profile.startsCycle = true }
            // Money that is not collected after all goes back to the cap.
            if [.voided, .refunded, .chargebacked].contains(to) { profile.giveBackMinor += amount }
        case nil:
            break
        }
        if to.isSettled, wasOpen, let transactionID = attempt.transactionID { profile.releasedTransactionID = transactionID }
        if to == .chargebacked {
            let code = observation.reasonCode ?? ""
            change.chargebackReason = code
            profile.deactivation = "chargeback" + (code.isEmpty ? "" : " \(code)")
            if let uniqueID = observation.uniqueID ?? attempt.uniqueID {
                chargebacks.append(Self.chargeback(observation, uniqueID: uniqueID, attempt: attempt, blacklist: policy.blacklists(observation.reasonCode)))
            }
        }
        if to == .chargebackReversed, let uniqueID = observation.uniqueID ?? attempt.uniqueID { reversals.append(uniqueID) }
        profiles[attempt.ibanHashHex] = profile
        attempts[attempt.id] = change
        attempt.status = to
        if let uniqueID = observation.uniqueID { attempt.uniqueID = uniqueID }
        return ObservationResult(outcome: .applied, attemptID: attempt.id, detail: "\(from.rawValue) → \(to.rawValue)")
    }

    private func event(_ observation: GatewayObservation, attempt: AttemptSnapshot, to: AttemptStatus, applied: Bool, detail: String) -> Event {
        Event(
            attemptID: attempt.id, from: attempt.status, to: to, applied: applied, source: observation.source,
            notificationID: observation.notificationID, reasonCode: observation.reasonCode, detail: detail)
    }

    private static func chargeback(_ observation: GatewayObservation, uniqueID: String, attempt: AttemptSnapshot?, blacklist: Bool) -> Chargeback {
        Chargeback(
            uniqueID: uniqueID, attemptID: attempt?.id, reasonCode: observation.reasonCode ?? "", reasonDescription: observation.reasonDescription ?? "",
            amountMinor: observation.amountMinor ?? attempt?.amountMinor, currency: observation.currency, source: observation.source,
            blacklist: blacklist && attempt != nil, ibanHashHex: attempt?.ibanHashHex, ibanMasked: attempt?.ibanMasked)
    }

    private static func unknown(_ observation: GatewayObservation) -> String {
        let names = [observation.uniqueID.map { "unique_id \($0)" }, observation.transactionID.map { "transaction_id \($0)" }].compactMap { $0 }
        return "no billing attempt has " + (names.isEmpty ? "this transaction" : names.joined(separator: " or "))
    }
}
