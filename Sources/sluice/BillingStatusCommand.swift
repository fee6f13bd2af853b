import ArgumentParser
import SluiceBilling
import SluiceCore

/// `sluice billing status RUN_ID`.
struct BillingStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "How the billing of a run stands.")

    @Argument(help: "The run id.")
    var runID: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let logger = Environment.logger(verbose: false)
        try await reportingErrors {
            let id = try BillingCommand.runID(runID)
            guard let summary = try await BillingCommand.readingStore(logger: logger).summary(of: id) else {
                throw SluiceError(.runNotFound, "run \(id.uuidString.lowercased()) was never handed to billing")
            }
            try BillingCommand.print(summary, json: json)
        }
    }
}
