import SluiceBilling
import SluiceReconciliation
import Testing

struct StatusTransitionTests {
    @Test(arguments: [AttemptStatus.approved, .declined, .error, .pending, .voided, .chargebacked])
    func anOpenAttemptTakesWhatTheGatewaySays(_ status: AttemptStatus) {
        #expect(StatusTransition(from: .sending, to: status) == .apply)
        #expect(StatusTransition(from: .planned, to: status) == .apply)
    }

    @Test func aStatusNeverMovesBack() {
        #expect(StatusTransition(from: .approved, to: .pending) == .stale)
        #expect(StatusTransition(from: .approved, to: .sending) == .stale)
        #expect(StatusTransition(from: .chargebacked, to: .approved) == .stale)
        #expect(StatusTransition(from: .declined, to: .approved) == .stale)
        #expect(StatusTransition(from: .chargebackReversed, to: .chargebacked) == .stale)
        #expect(StatusTransition(from: .pending, to: .sending) == .stale)
    }

    @Test func laterEventsOfAnApprovedChargeApply() {
        for status in [AttemptStatus.voided, .refunded, .chargebacked, .chargebackReversed] {
            #expect(StatusTransition(from: .approved, to: status) == .apply)
        }
        #expect(StatusTransition(from: .chargebacked, to: .chargebackReversed) == .apply)
        #expect(StatusTransition(from: .pending, to: .approved) == .apply)
    }

    @Test func theSameStatusIsUnchanged() {
        for status in AttemptStatus.allCases {
            #expect(StatusTransition(from: status, to: status) == .unchanged)
        }
    }
}
