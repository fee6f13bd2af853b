import Foundation
import SluiceBilling
import Testing

struct BillingRulesTests {
    let rules = BillingRules()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func row(amount: Int64?, line: Int64 = 2, iban: String? = "DE89370400440532013000", country: String? = nil, flagged: Bool = false, currency: String? = nil)
        -> BillingCandidate
    {
        BillingCandidate(
            sourceLine: line, iban: iban, ibanHash: iban == nil ? [] : Array(repeating: 7, count: 32), amountMinor: amount, currency: currency,
            firstName: "Ada", lastName: "Lovelace", country: country, flagged: flagged)
    }

    @Test(arguments: [
        (Int64(199), BillingModel.flywheel), (495, .flywheel), (198, .legacy), (496, .legacy),
        (2999, .recovery), (9999, .recovery), (2998, .legacy), (10_000, .legacy), (150_00, .legacy),
    ])
    func theModelFollowsTheAmount(amount: Int64, model: BillingModel) {
        #expect(BillingModel(amountMinor: amount) == model)
    }

    @Test func aFirstChargeMakesAProfileWithTheAttemptOpen() {
        guard case .charge(let model, let profile) = rules.decide(row(amount: 299), profile: nil, transactionID: "t1", now: now) else {
            Issue.record("expected a charge")
            return
        }
        #expect(model == .flywheel)
        #expect(profile == DebtorProfile(model: .flywheel, chargedMinor: 299, openTransactionID: "t1"))
    }

    @Test func anOpenAttemptHoldsTheNextRowBack() {
        let profile = DebtorProfile(model: .flywheel, chargedMinor: 299, openTransactionID: "t1")
        #expect(rules.decide(row(amount: 299), profile: profile, transactionID: "t2", now: now).skipReason == .pendingExists)
    }

    @Test func modelsAreExclusive() {
        let recovery = DebtorProfile(model: .recovery, chargedMinor: 4999)
        #expect(rules.decide(row(amount: 299), profile: recovery, transactionID: "t", now: now).skipReason == .modelConflict)
        let flywheel = DebtorProfile(model: .flywheel, chargedMinor: 299)
        #expect(rules.decide(row(amount: 4999), profile: flywheel, transactionID: "t", now: now).skipReason == .modelConflict)
        #expect(rules.decide(row(amount: 12_000), profile: flywheel, transactionID: "t", now: now).skipReason == .modelConflict)
    }

    @Test func theCycleLockHoldsUntilNextBillAt() {
        let locked = DebtorProfile(model: .flywheel, nextBillAt: now.addingTimeInterval(3600), chargedMinor: 299)
        #expect(rules.decide(row(amount: 299), profile: locked, transactionID: "t", now: now).skipReason == .cycleLocked)
        let free = DebtorProfile(model: .flywheel, nextBillAt: now.addingTimeInterval(-1), chargedMinor: 299)
        #expect(rules.decide(row(amount: 299), profile: free, transactionID: "t", now: now).skipReason == nil)
    }

    @Test func theLifetimeCapCountsWhatWasCharged() {
        let near = DebtorProfile(model: .recovery, chargedMinor: 70_000)
        #expect(rules.decide(row(amount: 5001), profile: near, transactionID: "t", now: now).skipReason == .capReached)
        #expect(rules.decide(row(amount: 5000), profile: near, transactionID: "t", now: now).skipReason == nil, "exactly €750 is allowed")
    }

    @Test func anInactiveProfileIsNeverCharged() {
        let inactive = DebtorProfile(model: .flywheel, active: false)
        #expect(rules.decide(row(amount: 299), profile: inactive, transactionID: "t", now: now).skipReason == .profileInactive)
    }

    @Test func rowsTheGatewayCannotTakeAreSkippedWithAReason() {
        #expect(rules.decide(row(amount: nil), profile: nil, transactionID: "t", now: now).skipReason == .invalidRow)
        #expect(rules.decide(row(amount: 299, iban: nil), profile: nil, transactionID: "t", now: now).skipReason == .invalidRow)
        #expect(rules.decide(row(amount: 299, iban: "CH9300762011623852957"), profile: nil, transactionID: "t", now: now).skipReason == .countryUnsupported)
        #expect(rules.decide(row(amount: 299, country: "GB"), profile: nil, transactionID: "t", now: now).skipReason == .countryUnsupported)
        #expect(rules.decide(row(amount: 299, currency: "USD"), profile: nil, transactionID: "t", now: now).skipReason == .currencyMismatch)
        #expect(rules.decide(row(amount: 299, flagged: true), profile: nil, transactionID: "t", now: now).skipReason == .flagged)
        let all = BillingRules(billFlaggedRows: true)
        #expect(all.decide(row(amount: 299, flagged: true), profile: nil, transactionID: "t", now: now).skipReason == nil)
    }

    @Test func settlingAcceptedStartsTheCycleAndRefusedGivesTheAmountBack() throws {
        let open = DebtorProfile(model: .flywheel, chargedMinor: 598, openTransactionID: "t2")
        let approved = BillingRules.settle(open, outcome: .accepted(final: true), amountMinor: 299, now: now)
        #expect(approved.openTransactionID == nil && approved.chargedMinor == 598)
        #expect(try #require(approved.nextBillAt).timeIntervalSince(now) == 90 * 86_400)
        let pending = BillingRules.settle(open, outcome: .accepted(final: false), amountMinor: 299, now: now)
        #expect(pending.openTransactionID == "t2", "a pending charge still holds the profile")
        let declined = BillingRules.settle(open, outcome: .refused, amountMinor: 299, now: now)
        #expect(declined.openTransactionID == nil && declined.chargedMinor == 299 && declined.nextBillAt == nil)
        let recovery = BillingRules.settle(DebtorProfile(model: .recovery), outcome: .accepted(final: true), amountMinor: 4999, now: now)
        let months = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: try #require(recovery.nextBillAt))
        let start = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        #expect((months.month! - start.month! + 12) % 12 == 6)
        #expect(BillingRules.settle(DebtorProfile(model: .legacy), outcome: .accepted(final: true), amountMinor: 15_000, now: now).nextBillAt == nil)
    }

    @Test(arguments: [("12.34", Int64?.some(1234)), ("12", 1200), ("0.5", 50), ("1234.05", 123_405), ("", nil), ("1.234", nil), ("-1", nil), ("1,50", nil), ("abc", nil)])
    func amountsReadAsMinorUnits(text: String, minor: Int64?) {
        #expect(MinorUnits.parse(text) == minor)
    }
}

extension BillingDecision {
    var skipReason: BillingSkipReason? {
        if case .skip(let reason, _) = self { return reason }
        return nil
    }
}
