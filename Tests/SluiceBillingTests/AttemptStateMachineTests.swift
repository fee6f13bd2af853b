import SluiceBilling
import SluiceGenesis
import Testing

struct AttemptStateMachineTests {
    func answer(_ status: GatewayStatus, code: Int? = nil) -> GatewayTransaction {
        GatewayTransaction(transactionType: "sdd_sale", status: status, uniqueID: "u1", transactionID: "t1", code: code)
    }

    @Test func aPlannedAttemptIsSentAndSettledByItsAnswer() {
        var machine = AttemptStateMachine(status: .planned, saleRequests: 0)
        #expect(machine.begin() == .send)
        #expect(machine.saleRequests == 1)
        #expect(machine.saleAnswered(answer(.approved)) == .settle(.approved))
    }

    @Test(arguments: [(GatewayStatus.declined, AttemptStatus.declined), (.error, .error), (.pendingAsync, .pending), (.inProgress, .pending)])
    func declinedAndErroredAreFinalForTheAttempt(status: GatewayStatus, expected: AttemptStatus) {
        var machine = AttemptStateMachine(status: .planned, saleRequests: 0)
        _ = machine.begin()
        #expect(machine.saleAnswered(answer(status)) == .settle(expected))
    }

    @Test func anUnknownOutcomeIsReconciledBeforeAnyRetry() {
        var machine = AttemptStateMachine(status: .planned, saleRequests: 0)
        _ = machine.begin()
        #expect(machine.saleFailed(GatewayError(.noAnswer, endpoint: "process", detail: "timeout")) == .reconcile)
        // The gateway has it: settle, never send again.
        #expect(machine.reconciled(answer(.approved)) == .settle(.approved))
        #expect(machine.saleRequests == 1)
    }

    @Test func aReconcileThatFindsNothingSendsAgainWithTheSameAttempt() {
        var machine = AttemptStateMachine(status: .planned, saleRequests: 0, maxSaleRequests: 2)
        _ = machine.begin()
        #expect(machine.saleFailed(GatewayError(.status(503), endpoint: "process", detail: "")) == .reconcile)
        #expect(machine.reconciled(nil) == .send)
        #expect(machine.saleFailed(GatewayError(.noAnswer, endpoint: "process", detail: "")) == .reconcile)
        guard case .deferAttempt = machine.reconciled(nil) else {
            Issue.record("after maxSaleRequests the attempt waits")
            return
        }
        #expect(machine.saleRequests == 2)
        // The job's next try starts a new pass: it reconciles, then may send again.
        var next = AttemptStateMachine(status: .sending, saleRequests: 2, maxSaleRequests: 2)
        #expect(next.begin() == .reconcile)
        #expect(next.reconciled(nil) == .send)
        #expect(next.saleRequests == 3)
    }

    @Test func aFailureBeforeSendingIsSentAgainWithoutReconciling() {
        var machine = AttemptStateMachine(status: .planned, saleRequests: 0)
        _ = machine.begin()
        #expect(machine.saleFailed(GatewayError(.notSent, endpoint: "process", detail: "refused")) == .send)
        #expect(machine.saleRequests == 2)
    }

    @Test func aDoubletIsReconciledNotSettledAsAnError() {
        var machine = AttemptStateMachine(status: .planned, saleRequests: 0)
        _ = machine.begin()
        #expect(machine.saleAnswered(answer(.error, code: 450)) == .reconcile)
        #expect(machine.reconciled(answer(.approved)) == .settle(.approved))
    }

    @Test func anAttemptFoundSendingAfterACrashIsReconciledFirst() {
        var machine = AttemptStateMachine(status: .sending, saleRequests: 1)
        #expect(machine.begin() == .reconcile)
        #expect(machine.reconciled(answer(.declined)) == .settle(.declined))
        var other = AttemptStateMachine(status: .sending, saleRequests: 1)
        _ = other.begin()
        guard case .deferAttempt = other.reconcileFailed(GatewayError(.noAnswer, endpoint: "reconcile", detail: "")) else {
            Issue.record("a failed reconcile sends nothing")
            return
        }
        #expect(other.saleRequests == 1)
    }
}
