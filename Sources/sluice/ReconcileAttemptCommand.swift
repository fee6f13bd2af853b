import ArgumentParser
import SluiceCore

/// `sluice reconcile attempt ID`: asks the gateway about one attempt now.
struct ReconcileAttemptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attempt", abstract: "Reconcile one billing attempt now, whatever its status and tries.")

    @Argument(help: "The attempt id (`sluice billing attempts` lists them).")
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await ReconcileCommand.withReconciler { reconciler, _ in
            guard let attemptID = Int64(id), attemptID > 0 else { throw SluiceError(.invalidArgument, "ID must be an attempt id, found '\(id)'") }
            let result = try await reconciler.reconcile(attemptID: attemptID)
            try ReconcileCommand.print(result, text: result.text, json: json)
        }
    }
}
