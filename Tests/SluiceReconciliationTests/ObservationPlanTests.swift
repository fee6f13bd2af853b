import SluiceBilling
import SluiceGenesis
import SluiceReconciliation
import Testing

struct ObservationPlanTests {
    let hash = String(repeating: "ab", count: 32)

    func attempt(_ id: Int64 = 1, status: AttemptStatus = .pending, amount: Int64 = 1_000) -> AttemptSnapshot {
        AttemptSnapshot(
            id: id, status: status, transactionID: "sl-run-\(id)", uniqueID: "u\(id)", amountMinor: amount, ibanHashHex: hash, ibanMasked: "NL91********4300")
    }

    func notification(_ uniqueID: String = "u1", status: AttemptStatus?, chargeback: Bool = false, code: String? = nil, amount: Int64? = nil, id: Int64 = 7)
        -> GatewayObservation {
        GatewayObservation(
            uniqueID: uniqueID, status: status, isChargeback: chargeback, reasonCode: code, amountMinor: amount, source: .notification, notificationID: id)
    }

    @Test func anApprovalOfAPendingChargeSettlesItAndFreesTheProfile() {
        let plan = ObservationPlan([notification(status: .approved)], attempts: [attempt()], policy: ChargebackPolicy())
        #expect(plan.results == [ObservationResult(outcome: .applied, attemptID: 1, detail: "pending → approved")])
        let change = plan.attempts[1]
        #expect(change?.status == .approved && change?.settled == true)
        let profile = plan.profiles[hash]
        #expect(profile?.releasedTransactionID == "sl-run-1" && profile?.giveBackMinor == 0 && profile?.startsCycle == false)
        #expect(plan.events.map(\.applied) == [true] && plan.events.first?.source == .notification && plan.events.first?.notificationID == 7)
    }

    @Test func outOfOrderStatusesInOneBatchApplyInOrderAndNeverBack() {
        let plan = ObservationPlan(
            [notification(status: .approved), notification(status: .pending), notification(status: .approved)], attempts: [attempt()],
            policy: ChargebackPolicy())
        #expect(plan.results.map(\.outcome) == [.applied, .stale, .unchanged])
        #expect(plan.attempts[1]?.status == .approved)
        // The late pending is recorded, not applied; the repeat is not recorded at all.
        #expect(plan.events.map(\.applied) == [true, false])
        #expect(plan.events.last?.to == .pending)
    }

    @Test func aDeclineGivesTheAmountBackToTheCap() {
        let plan = ObservationPlan([notification(status: .declined, code: "AM04")], attempts: [attempt(amount: 2_500)], policy: ChargebackPolicy())
        #expect(plan.profiles[hash]?.giveBackMinor == 2_500)
        #expect(plan.attempts[1]?.reasonCode == "AM04")
    }

    @Test func aChargebackInTheListDeactivatesAndBlacklists() {
        let plan = ObservationPlan(
            [notification(status: .chargebacked, chargeback: true, code: "AC04")], attempts: [attempt(status: .approved)], policy: ChargebackPolicy())
        #expect(plan.results.map(\.outcome) == [.applied])
        #expect(plan.attempts[1]?.chargebackReason == "AC04")
        #expect(plan.profiles[hash]?.deactivation == "chargeback AC04" && plan.profiles[hash]?.giveBackMinor == 1_000)
        #expect(plan.chargebacks.count == 1 && plan.chargebacks[0].blacklist && plan.chargebacks[0].ibanHashHex == hash)
    }

    @Test func aChargebackOutsideTheListDeactivatesWithoutBlacklisting() {
        let plan = ObservationPlan(
            [notification(status: .chargebacked, chargeback: true, code: "AM04")], attempts: [attempt(status: .approved)], policy: ChargebackPolicy())
        #expect(plan.profiles[hash]?.deactivation == "chargeback AM04")
        #expect(plan.chargebacks.count == 1 && !plan.chargebacks[0].blacklist)
        let custom = ObservationPlan(
            [notification(status: .chargebacked, chargeback: true, code: "AM04")], attempts: [attempt(status: .approved)],
            policy: ChargebackPolicy(blacklistCodes: ["am04"]))
        #expect(custom.chargebacks.first?.blacklist == true)
    }

    @Test func aNotificationForAnUnknownTransactionIsKeptAndReported() {
        let plan = ObservationPlan([notification("nobody", status: .approved)], attempts: [attempt()], policy: ChargebackPolicy())
        #expect(plan.results.first?.outcome == .unknownTransaction && plan.results.first?.attemptID == nil)
        #expect(plan.results.first?.detail.contains("nobody") == true)
        #expect(plan.attempts.isEmpty && plan.events.isEmpty && plan.profiles.isEmpty)
    }

    @Test func aTamperedAmountIsNotApplied() {
        let plan = ObservationPlan([notification(status: .approved, amount: 1)], attempts: [attempt(amount: 1_000)], policy: ChargebackPolicy())
        #expect(plan.results.first?.outcome == .amountMismatch)
        #expect(plan.attempts.isEmpty && plan.events.map(\.applied) == [false])
    }

    @Test func aRetrievalRequestIsRecordedWithoutAChange() {
        let observation = GatewayObservation(
            notification: GenesisNotification(uniqueID: "u1", status: "approved", event: "retrieval_request", signature: "x"), id: 3)
        let plan = ObservationPlan([observation], attempts: [attempt(status: .approved)], policy: ChargebackPolicy())
        #expect(plan.results.first?.outcome == .recorded && plan.attempts.isEmpty)
    }

    @Test func anAttemptIsFoundByTransactionIDWhenItHasNoUniqueIDYet() {
        var sending = attempt(status: .sending)
        sending.uniqueID = nil
        let observation = GatewayObservation(uniqueID: "new-u", transactionID: "sl-run-1", status: .pending, source: .reconcile)
        let plan = ObservationPlan([observation, GatewayObservation(uniqueID: "new-u", status: .approved, source: .notification)], attempts: [sending],
                                   policy: ChargebackPolicy())
        #expect(plan.results.map(\.outcome) == [.applied, .applied])
        #expect(plan.attempts[1]?.uniqueID == "new-u" && plan.attempts[1]?.status == .approved)
        // Accepted for the first time while sending: the profile's cycle starts.
        #expect(plan.profiles[hash]?.startsCycle == true)
    }

    @Test func aReversalMarksTheChargeback() {
        let plan = ObservationPlan([notification(status: .chargebackReversed)], attempts: [attempt(status: .chargebacked)], policy: ChargebackPolicy())
        #expect(plan.results.map(\.outcome) == [.applied] && plan.reversals == ["u1"])
    }

    @Test func thePolicyReadsItsListFromTheEnvironment() {
        #expect(ChargebackPolicy(environment: [:]).blacklistCodes == ChargebackPolicy.defaultBlacklistCodes)
        #expect(ChargebackPolicy(environment: ["SLUICE_CHARGEBACK_BLACKLIST_CODES": "md06, ac04"]).blacklistCodes == ["MD06", "AC04"])
        #expect(ChargebackPolicy(environment: ["SLUICE_CHARGEBACK_BLACKLIST_CODES": ""]).blacklistCodes.isEmpty)
    }
}
