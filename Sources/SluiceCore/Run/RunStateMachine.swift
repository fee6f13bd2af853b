/// The life of one run attempt, as a value: events in, actions out.
///
/// The coordinator (`PipelineRunner`) feeds it what happened (the flow ended, a signal came,
/// an error was thrown, the rows were checked) and performs the action it returns (write a
/// status, check the invariant). Keeping the decisions here lets them be tested without a
/// database, the way postgres-nio tests its connection state machine.
///
/// ```
/// created ─start→ running ─flowFinished→ checking ─rowsChecked(ok)→ completed
///                    │            │                 └─rowsChecked(problems)→ failed
///                    │            └─(budget breached)→ failedBudget
///                    ├─stopRequested(.interrupt) … flowFinished → interrupted
///                    ├─stopRequested(.cancel)    … flowFinished → cancelled
///                    └─failed(error) → failed
/// ```
public struct RunStateMachine: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case created
        case running(resumed: Bool, stop: StopReason?)
        /// Every batch is committed; the rows are being checked.
        case checking
        case finished(RunStatus)
    }

    /// Why a run was asked to stop before the end of its input.
    public enum StopReason: String, Sendable, Hashable {
        /// SIGTERM or SIGINT: commit what is complete, then `interrupted`.
        case interrupt
        /// An operator's cancel: commit what is complete, then `cancelled`.
        case cancel
    }

    /// What the coordinator must do next.
    public enum Action: Sendable, Hashable {
        /// Record the run as running (and count an attempt when it resumes).
        case markRunning(resumed: Bool)
        /// Tell the flow to stop reading; in-flight batches still commit.
        case stopReading
        /// Check that the run's rows add up, then report `rowsChecked`.
        case checkRows
        case markCompleted
        /// Remove the run's rows and record `failed_budget` with the reason.
        case failBudget(reason: String)
        case markFailed(reason: String)
        case markInterrupted
        case markCancelled
        case none
    }

    public private(set) var state: State = .created

    public init() {}

    /// The status the run has now, as stored.
    public var status: RunStatus {
        switch state {
        case .created: .created
        case .running, .checking: .running
        case .finished(let status): status
        }
    }

    public mutating func start(resumed: Bool) -> Action {
        guard case .created = state else { return .none }
        state = .running(resumed: resumed, stop: nil)
        return .markRunning(resumed: resumed)
    }

    /// A signal or a cancel arrived. The first request wins; later ones change nothing.
    public mutating func stopRequested(_ reason: StopReason) -> Action {
        guard case .running(let resumed, nil) = state else { return .none }
        state = .running(resumed: resumed, stop: reason)
        return .stopReading
    }

    /// The flow ended without an error: it read the whole input, or it stopped reading on
    /// request, or an error budget stopped it.
    ///
    /// - Parameters:
    ///   - readToEnd: whether every batch of the input was committed; a stop that came too
    ///     late to leave anything unread does not keep the run from completing.
    ///   - budgetBreach: why the error budget is exceeded, if it is.
    public mutating func flowFinished(readToEnd: Bool, budgetBreach: String?) -> Action {
        guard case .running(_, let stop) = state else { return .none }
        if let budgetBreach {
            state = .finished(.failedBudget)
            return .failBudget(reason: "error budget exceeded: \(budgetBreach)")
        }
        switch readToEnd ? nil : stop {
        case .interrupt?:
            state = .finished(.interrupted)
            return .markInterrupted
        case .cancel?:
            state = .finished(.cancelled)
            return .markCancelled
        case nil:
            state = .checking
            return .checkRows
        }
    }

    /// The rows were checked: complete, or fail with what does not add up.
    public mutating func rowsChecked(problems: [String]) -> Action {
        guard case .checking = state else { return .none }
        if problems.isEmpty {
            state = .finished(.completed)
            return .markCompleted
        }
        let reason = "the run's rows do not add up, so it is not completed: " + problems.joined(separator: "; ")
        state = .finished(.failed)
        return .markFailed(reason: reason)
    }

    /// Something threw. A run that is already finished stays as it is.
    public mutating func failed(_ reason: String) -> Action {
        switch state {
        case .finished:
            return .none
        case .created, .running, .checking:
            state = .finished(.failed)
            return .markFailed(reason: reason)
        }
    }
}
