import ArgumentParser

/// `sluice reconcile chargebacks`: syncs the chargebacks posted in a range of days.
struct ReconcileChargebacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chargebacks",
        abstract: "Record the chargebacks the gateway posted in a range of days.",
        discussion: """
            Each chargeback deactivates the debtor's profile; one whose reason code is in \
            SLUICE_CHARGEBACK_BLACKLIST_CODES also puts the IBAN on the blacklist, as a notification would.
            """)

    @Option(help: "The terminal; every terminal billing has used when absent.")
    var terminal: String?

    @Option(help: "The first day, yyyy-MM-dd (UTC; default SLUICE_CHARGEBACK_SYNC_DAYS before today).")
    var from: String?

    @Option(help: "The last day, yyyy-MM-dd (UTC; default today).")
    var to: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await ReconcileCommand.withReconciler { reconciler, _ in
            let range = try ReconcileCommand.range(from: from, to: to, defaultDays: reconciler.settings.chargebackSyncDays)
            let summary = try await reconciler.eachTerminal(terminal) { try await reconciler.syncChargebacks(terminal: $0, range: range) }
            try ReconcileCommand.finish(summary, json: json, what: "the chargeback sync")
        }
    }
}
