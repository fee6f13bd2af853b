import ArgumentParser
import SluiceCore

/// Exit codes of the `sluice` command, documented in docs/cli.md.
enum ExitCodes {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let alreadyLoaded: Int32 = 3
    static let invalidInput: Int32 = 4
    static let source: Int32 = 5
    static let database: Int32 = 6
    static let run: Int32 = 7
    /// The run rejected more rows than its error budget allows; nothing was loaded.
    static let budgetExceeded: Int32 = 8
    /// The run's rows did not add up; the run is failed, not completed (docs/operations.md).
    static let invariantBroken: Int32 = 9
    /// `run`: stopped by SIGTERM or SIGINT; what was committed stays and the run resumes from there.
    static let interrupted: Int32 = 10
    /// `run`: cancelled by an operator; what was committed stays.
    static let cancelled: Int32 = 11
    /// `test`: a pipeline test case did not get what its fixture expects.
    static let testFailed: Int32 = 12

    static func code(for error: SluiceError) -> Int32 {
        switch error.code {
        case .alreadyLoaded: alreadyLoaded
        case .invalidArgument, .invalidPipeline, .format: invalidInput
        case .sourceNotFound, .sourceChanged, .sourceRead, .s3: source
        case .database: database
        case .runNotFound, .runNotResumable, .runLocked, .leaseLost, .notBillable, .notFound, .notReplayable: run
        case .invariantBroken: invariantBroken
        default: failure
        }
    }
}

/// Prints a Sluice error to stderr and exits with its code; other errors go to ArgumentParser.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as SluiceError {
        Terminal.printError("error: \(error.description)")
        if let underlying = error.underlying {
            Terminal.printError("  cause: \(String(reflecting: underlying))")
        }
        throw ExitCode(ExitCodes.code(for: error))
    }
}
