import ArgumentParser

/// `sluice reconcile by-date`: refreshes a date range of the gateway's transactions.
struct ReconcileByDateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "by-date", abstract: "Apply every transaction the gateway has for a range of days.")

    @Option(help: "The terminal; every terminal billing has used when absent.")
    var terminal: String?

    @Option(help: "The first day, yyyy-MM-dd (UTC; default yesterday).")
    var from: String?

    @Option(help: "The last day, yyyy-MM-dd (UTC; default today).")
    var to: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await ReconcileCommand.withReconciler { reconciler, _ in
            let range = try ReconcileCommand.range(from: from, to: to, defaultDays: reconciler.settings.byDateDays)
            let summary = try await reconciler.eachTerminal(terminal) { try await reconciler.refreshByDate(terminal: $0, range: range) }
            try ReconcileCommand.finish(summary, json: json, what: "the by-date refresh")
        }
    }
}
