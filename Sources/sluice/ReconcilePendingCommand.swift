import ArgumentParser

/// `sluice reconcile pending`: one pass over the pending attempts due.
struct ReconcilePendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "Poll the pending attempts due: sent long enough ago, with reconcile tries left.",
        discussion: """
            Attempts pending for more than SLUICE_RECONCILE_PENDING_AGE_SECONDS (2 h) with fewer than \
            SLUICE_RECONCILE_MAX_TRIES (10) tries, never-reconciled first, at most \
            SLUICE_RECONCILE_BATCH_LIMIT (500), SLUICE_RECONCILE_RATE (10) calls a second per terminal.
            """)

    @Option(help: "Only this terminal's attempts.")
    var terminal: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await ReconcileCommand.withReconciler { reconciler, _ in
            let summary = try await reconciler.reconcilePending(terminal: terminal)
            try ReconcileCommand.finish(summary, json: json, what: "the pending pass")
        }
    }
}
