import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SluiceTestSupport
import Testing

/// Issue 9, defect 5: with `SLUICE_S3_ENDPOINT` on a closed port, `sluice run` printed nothing
/// for 60 s (AsyncHTTPClient retried the connect until the request's deadline) and then exited 5.
/// A refused connection now fails at once naming the endpoint; what is worth retrying is
/// retried, and said so on stderr.
@Suite(.serialized)
struct S3UnreachableTests {
    let environment: IntegrationEnvironment
    let binary: String

    init() throws {
        environment = try IntegrationEnvironment()
        binary = try IntegrationEnvironment.sluiceBinary()
    }

    static let commands: [[String]] = [
        ["run", IntegrationEnvironment.path("pipelines/debtors.yaml"), "--input", "s3://sluice/x.csv", "--no-progress"],
        ["inspect", "s3://sluice/x.csv"],
        ["run", IntegrationEnvironment.path("pipelines/debtors.yaml"), "--input", "s3://sluice/x.csv", "--no-progress", "-v"],
    ]

    @Test(arguments: commands)
    func aClosedPortFailsWithinSecondsNamingTheEndpoint(arguments: [String]) throws {
        let port = try Self.closedPort()
        defer { close(port.socket) }
        let endpoint = "http://127.0.0.1:\(port.port)"
        let result = try sluice(arguments, environment: ["SLUICE_S3_ENDPOINT": endpoint])
        #expect(result.status != 0, "\(result.stderr)")
        #expect(result.status == 5, "an S3 failure is a source error: \(result.stderr)")
        #expect(result.seconds < 10, "took \(result.seconds) s")
        #expect(result.stderr.contains("cannot reach S3 at \(endpoint): connection refused"), "\(result.stderr)")
    }

    @Test func anUnknownHostFailsWithinSeconds() throws {
        let endpoint = "http://s3.sluice-test.invalid:58333"
        let result = try sluice(["inspect", "s3://sluice/x.csv"], environment: ["SLUICE_S3_ENDPOINT": endpoint])
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.seconds < 10, "took \(result.seconds) s")
        #expect(result.stderr.contains("cannot reach S3 at \(endpoint): host not found"), "\(result.stderr)")
    }

    /// Connections cut inside the response head are retried; with `-v` each retry is a warning.
    @Test func cutConnectionsAreRetriedAndEachRetryIsLoggedWithVerbose() async throws {
        let (input, pipeline) = try await prepare()
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        let proxy = try S3ClientTests.proxy(for: environment.s3, cutAfterBytes: 100, cuts: 2)
        let port = try await proxy.start()
        let result = try sluice(["run", pipeline, "--input", input, "--no-progress", "-v"], environment: [
            "SLUICE_S3_ENDPOINT": "http://127.0.0.1:\(port)", "SLUICE_S3_RETRY_BACKOFF": "20ms",
        ])
        try await proxy.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(proxy.cutCount == 2)
        let retries = result.stderr.split(separator: "\n").filter { $0.contains("warning") && $0.contains("retrying S3 HEAD \(input)") }
        #expect(retries.count == 2, "\(result.stderr)")
        #expect(retries.first?.contains("(attempt 2 in 0.0 s)") == true, "\(result.stderr)")
    }

    /// Without `-v`, retries are quiet until they have gone on for a few seconds; then one line says so.
    @Test func quietRetriesAreAnnouncedOnceAfterAFewSeconds() async throws {
        let (input, pipeline) = try await prepare()
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        let proxy = try S3ClientTests.proxy(for: environment.s3, cutAfterBytes: 100, cuts: 3)
        let port = try await proxy.start()
        // Pauses of 0.7, 1.4 and 2.8 s: the third failure comes 2.1 s after the first attempt.
        let result = try sluice(["run", pipeline, "--input", input, "--no-progress"], environment: [
            "SLUICE_S3_ENDPOINT": "http://127.0.0.1:\(port)", "SLUICE_S3_RETRY_BACKOFF": "0.7",
        ])
        try await proxy.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(proxy.cutCount == 3)
        let lines = result.stderr.split(separator: "\n")
        let announced = lines.filter { $0.contains("still retrying S3 HEAD \(input)") }
        #expect(announced.count == 1, "\(result.stderr)")
        #expect(announced.first?.contains("(attempt 4, ") == true, "\(result.stderr)")
        #expect(!lines.contains { $0.contains("retrying S3") && !$0.contains("still retrying") }, "\(result.stderr)")
    }

    @Test func retriesThatRunOutSayHowManyAttemptsWereMade() async throws {
        let (input, pipeline) = try await prepare()
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        let proxy = try S3ClientTests.proxy(for: environment.s3, cutAfterBytes: 100, cuts: .max)
        let port = try await proxy.start()
        let result = try sluice(["run", pipeline, "--input", input, "--no-progress"], environment: [
            "SLUICE_S3_ENDPOINT": "http://127.0.0.1:\(port)", "SLUICE_S3_RETRY_BACKOFF": "10ms", "SLUICE_S3_MAX_ATTEMPTS": "3",
        ])
        try await proxy.stop()
        #expect(result.status == 5, "\(result.stderr)")
        #expect(proxy.cutCount == 3)
        #expect(result.stderr.contains("gave up after 3 attempts"), "\(result.stderr)")
    }

    // MARK: - Helpers

    /// A small object on S3 and a pipeline file of its own (own name and table, no screening).
    func prepare() async throws -> (input: String, pipeline: String) {
        let input = try await environment.upload(IntegrationEnvironment.path("Samples/edge/pipe.csv"), key: "it/\(UUID())/pipe.csv")
        let name = IntegrationEnvironment.uniqueName("it")
        var yaml = try String(contentsOfFile: IntegrationEnvironment.path("pipelines/debtors.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "name: debtors", with: "name: \(name)")
        yaml = yaml.replacingOccurrences(of: "table: sluice.debtors", with: "table: sluice_it.\(name)")
        yaml += IntegrationEnvironment.withoutScreening
        let path = ReportFiles.temporaryPath("yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (input, path)
    }

    struct Result {
        var status: Int32
        var stderr: String
        var seconds: Double
    }

    /// Runs the binary with `environment` on top of this process's; stops it after 60 s.
    func sluice(_ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = ReportFiles.temporaryPath("err")
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: err) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        let started = ContinuousClock.now
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        return Result(status: process.terminationStatus, stderr: try ReportFiles.text(err), seconds: seconds)
    }

    /// A port on 127.0.0.1 that refuses connections: bound and never listening, so no other
    /// process takes it while the test runs. Close `socket` afterwards.
    static func closedPort() throws -> (socket: Int32, port: Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw SetupError("socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else {
            close(socket)
            throw SetupError("cannot bind a port on 127.0.0.1: \(errno)")
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }
}
