import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `sluice` binary with the local stack's environment, as an operator would.
struct SluiceCLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the process ended by a signal (for example SIGKILL from the test).
        var killed: Bool
        var seconds: Double
    }

    let binary: String
    /// Variables set (or, with an empty value, unset) on top of this process's environment.
    var environment: [String: String] = [:]

    init(environment: [String: String] = [:]) throws {
        binary = try IntegrationEnvironment.sluiceBinary()
        self.environment = environment
    }

    /// A started process whose output goes to files, for tests that kill it mid-run.
    struct Running {
        let process: Process
        let stdoutPath: String
        let stderrPath: String
        let started: ContinuousClock.Instant

        var isRunning: Bool { process.isRunning }

        func kill(_ signal: Int32 = SIGKILL) {
            if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
        }

        func wait() -> Result {
            process.waitUntilExit()
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            return Result(
                status: process.terminationStatus,
                stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "",
                killed: process.terminationReason == .uncaughtSignal,
                seconds: seconds)
        }
    }

    func start(_ arguments: [String]) throws -> Running {
        let base = NSTemporaryDirectory() + "sluice-cli-\(UUID().uuidString.prefix(8))"
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment {
            if value.isEmpty { variables.removeValue(forKey: key) } else { variables[key] = value }
        }
        process.environment = variables
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        let started = ContinuousClock.now
        try process.run()
        return Running(process: process, stdoutPath: base + ".out", stderrPath: base + ".err", started: started)
    }

    /// Runs to the end, killing the process after `timeout` so a hang fails the test instead of the suite.
    func run(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> Result {
        let running = try start(arguments)
        let deadline = ContinuousClock.now + timeout
        while running.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.kill()
        return running.wait()
    }
}
