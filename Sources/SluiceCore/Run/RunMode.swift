/// Why a run exists: to load, to try a pipeline without writing (`sluice run --dry-run`), or
/// to check a pipeline against its fixtures (`sluice test`). Only loads count for an object's
/// identity, so a dry run or a test never blocks, resumes or completes a real run.
public enum RunMode: String, Sendable, Hashable, Codable, CaseIterable {
    case load
    /// Every stage runs; nothing is written to the target table, the billing tables or the blacklist.
    case dryRun = "dry_run"
    /// A pipeline test: rows go to a scratch schema, and the run's records are removed after.
    case test
}
