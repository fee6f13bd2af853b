/// Thrown inside a run's task group to stop it when the error budget is exceeded; the
/// runner turns it into a `failed_budget` run, not an error.
struct BudgetExceeded: Error, Sendable {
    let reason: String
}
