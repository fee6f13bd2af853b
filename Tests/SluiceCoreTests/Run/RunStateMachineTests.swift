import SluiceCore
import Testing

/// The run state machine as a value: events in, actions out.
struct RunStateMachineTests {
    @Test func aRunThatReadsEverythingAndAddsUpCompletes() {
        var machine = RunStateMachine()
        #expect(machine.status == .created)
        #expect(machine.start(resumed: false) == .markRunning(resumed: false))
        #expect(machine.status == .running)
        #expect(machine.flowFinished(readToEnd: true, budgetBreach: nil) == .checkRows)
        #expect(machine.status == .running, "still running while its rows are checked")
        #expect(machine.rowsChecked(problems: []) == .markCompleted)
        #expect(machine.status == .completed)
    }

    @Test func rowsThatDoNotAddUpFailTheRun() {
        var machine = RunStateMachine()
        _ = machine.start(resumed: true)
        _ = machine.flowFinished(readToEnd: true, budgetBreach: nil)
        let action = machine.rowsChecked(problems: ["a", "b"])
        #expect(action == .markFailed(reason: "the run's rows do not add up, so it is not completed: a; b"))
        #expect(machine.status == .failed)
    }

    @Test func aBreachedBudgetEndsFailedBudgetEvenAfterAStopRequest() {
        var machine = RunStateMachine()
        _ = machine.start(resumed: false)
        #expect(machine.stopRequested(.interrupt) == .stopReading)
        #expect(machine.flowFinished(readToEnd: false, budgetBreach: "12 rows rejected") == .failBudget(reason: "error budget exceeded: 12 rows rejected"))
        #expect(machine.status == .failedBudget)
    }

    @Test(arguments: [(RunStateMachine.StopReason.interrupt, RunStateMachine.Action.markInterrupted, RunStatus.interrupted),
                      (.cancel, .markCancelled, .cancelled)])
    func aStopBeforeTheEndEndsTheRunAsAsked(reason: RunStateMachine.StopReason, action: RunStateMachine.Action, status: RunStatus) {
        var machine = RunStateMachine()
        _ = machine.start(resumed: false)
        #expect(machine.stopRequested(reason) == .stopReading)
        #expect(machine.flowFinished(readToEnd: false, budgetBreach: nil) == action)
        #expect(machine.status == status)
    }

    @Test func aStopThatCameAfterTheLastBatchStillCompletes() {
        var machine = RunStateMachine()
        _ = machine.start(resumed: false)
        _ = machine.stopRequested(.interrupt)
        #expect(machine.flowFinished(readToEnd: true, budgetBreach: nil) == .checkRows)
        #expect(machine.rowsChecked(problems: []) == .markCompleted)
    }

    @Test func theFirstStopRequestWins() {
        var machine = RunStateMachine()
        _ = machine.start(resumed: false)
        #expect(machine.stopRequested(.cancel) == .stopReading)
        #expect(machine.stopRequested(.interrupt) == .none)
        #expect(machine.flowFinished(readToEnd: false, budgetBreach: nil) == .markCancelled)
    }

    @Test func anErrorFailsARunningOrCheckingRunButNotAFinishedOne() {
        var running = RunStateMachine()
        _ = running.start(resumed: false)
        #expect(running.failed("boom") == .markFailed(reason: "boom"))
        #expect(running.status == .failed)

        var checking = RunStateMachine()
        _ = checking.start(resumed: false)
        _ = checking.flowFinished(readToEnd: true, budgetBreach: nil)
        #expect(checking.failed("lost the database") == .markFailed(reason: "lost the database"))

        var done = RunStateMachine()
        _ = done.start(resumed: false)
        _ = done.flowFinished(readToEnd: true, budgetBreach: nil)
        _ = done.rowsChecked(problems: [])
        #expect(done.failed("late") == .none)
        #expect(done.status == .completed)
    }

    @Test func eventsOutOfPlaceDoNothing() {
        var machine = RunStateMachine()
        #expect(machine.flowFinished(readToEnd: true, budgetBreach: nil) == .none)
        #expect(machine.stopRequested(.interrupt) == .none)
        #expect(machine.rowsChecked(problems: []) == .none)
        _ = machine.start(resumed: false)
        #expect(machine.start(resumed: true) == .none)
        #expect(machine.rowsChecked(problems: []) == .none)
    }

    @Test func resumableStatusesAreTheUnfinishedOnesAnOperatorDidNotStop() {
        #expect(RunStatus.allCases.filter(\.isResumable) == [.created, .running, .failed, .interrupted])
        #expect(RunStatus.allCases.filter(\.isFinal) == [.completed, .failedBudget])
        #expect(RunStatus.sqlList([.running, .failed]) == "'running', 'failed'")
    }
}
