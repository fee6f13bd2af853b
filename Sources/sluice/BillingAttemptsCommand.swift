import ArgumentParser
import SluiceBilling
import SluiceCore

/// `sluice billing attempts RUN_ID`.
struct BillingAttemptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attempts", abstract: "List a run's billing attempts (IBANs masked).")

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "Only attempts with this status (planned, sending, approved, declined, error, pending, …).")
    var status: String?

    @Option(help: "At most this many.")
    var limit = 100

    @Flag(help: "Print JSON lines.")
    var json = false

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let id = try BillingCommand.runID(runID)
            let wanted = try status.map { text -> AttemptStatus in
                guard let value = AttemptStatus(rawValue: text) else {
                    throw SluiceError(.invalidArgument, "--status must be one of \(AttemptStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return value
            }
            let attempts = try await BillingCommand.readingStore(logger: logger).attempts(runID: id, status: wanted, afterID: 0, limit: max(limit, 1))
            let encoder = BillingCommand.encoder(pretty: false)
            if !json { print("line\ttransaction_id\tiban\tamount\tmodel\tstatus\treason") }
            for attempt in attempts {
                if json {
                    print(String(decoding: try encoder.encode(attempt), as: UTF8.self))
                } else {
                    print([String(attempt.sourceLine), attempt.transactionID, attempt.ibanMasked, MinorUnits.format(attempt.amountMinor), attempt.model,
                           attempt.status, attempt.reasonCode ?? ""].joined(separator: "\t"))
                }
            }
        }
    }
}
