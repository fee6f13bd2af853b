import Foundation
import SluiceSimulators
import SluiceStages
import SluiceVOP
import SluiceTestSupport
import Testing

@Suite struct EPCVOPClientTests {
    static let iban = "DE89370400440532013000"
    static let holder = AccountHolders.derived(for: iban).name

    /// The four EPC answers: the holder's name, an initial for the first name, another name, an unknown account.
    @Test(arguments: [
        (iban, holder, "MTCH"),
        (iban, String(holder.prefix(1)) + ". " + holder.split(separator: " ").last!, "CMTC"),
        (iban, "Xaver Quibbleworth", "NMTC"),
        ("DE00370400440532013000", holder, "NOAP"),
    ])
    func answersEachEPCOutcome(iban: String, name: String, code: String) async throws {
        try await RunningSimulator.with { sim in
            let answer = try await sim.verifier(.epc).verify(PayeeVerificationRequest(iban: iban, name: name))
            #expect(answer.outcome == (try PayeeVerificationOutcome(epcCode: code, matchedName: code == "CMTC" ? Self.holder : nil)))
            #expect(answer.matchedName == (code == "CMTC" ? Self.holder : nil))
            #expect(answer.attempts == 1)
            #expect(answer.providerLatency > .zero)
            #expect(sim.simulator.stats().outcomes("epc", code) == 1)
        }
    }

    @Test func sendsRequestIDTimestampAndBearerKey() async throws {
        try await RunningSimulator.with(.init(apiKey: "test-key")) { sim in
            let verifier = sim.verifier(.epc, apiKey: "test-key")
            _ = try await verifier.verify(PayeeVerificationRequest(iban: "DE89 3704 0044 0532 0130 00", name: Self.holder))
            _ = try await verifier.verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            let requests = sim.simulator.stats().requests
            #expect(requests.count == 2)
            for request in requests {
                #expect(request.status == 200)
                #expect(request.authorization == "Bearer test-key")
                #expect(request.iban == "DE89**************3000")
                let id = try #require(request.requestID)
                #expect(UUID(uuidString: id) != nil)
                let stamp = try #require(request.requestTimestamp)
                let sent = try Date(stamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
                #expect(abs(sent.timeIntervalSinceNow) < 10)
            }
            #expect(requests[0].requestID != requests[1].requestID)
        }
    }

    @Test func retriesServerErrorsWithBackoff() async throws {
        try await RunningSimulator.with(.init(faults: .init(failNext: [.error, .error]))) { sim in
            let started = ContinuousClock.now
            let answer = try await sim.verifier(.epc).verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            let waited = started.duration(to: .now)
            #expect(answer.outcome == .match)
            #expect(answer.attempts == 3)
            // 20 ms, then 40 ms of backoff (no jitter).
            #expect(waited >= .milliseconds(60))
            let stats = sim.simulator.stats()
            #expect(stats.calls("epc") == 3)
            #expect(stats.faults("error") == 2)
            #expect(stats.requests.map(\.status) == [503, 503, 200])
        }
    }

    @Test func honoursRetryAfterOn429() async throws {
        try await RunningSimulator.with(.init(faults: .init(retryAfterSeconds: 1, failNext: [.rateLimit]))) { sim in
            let started = ContinuousClock.now
            let answer = try await sim.verifier(.epc).verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            let waited = started.duration(to: .now)
            #expect(answer.outcome == .match)
            #expect(answer.attempts == 2)
            #expect(waited >= .seconds(1))
            #expect(waited < .seconds(3))
            let stats = sim.simulator.stats()
            #expect(stats.faults("rateLimit") == 1)
            let gap = stats.requests[1].at - stats.requests[0].at
            #expect(gap >= 0.95)
        }
    }

    @Test func timesOutAfterTheConfiguredAttempts() async throws {
        try await RunningSimulator.with(.init(faults: .init(latencyMs: 2_000))) { sim in
            let verifier = sim.verifier(.epc, timeout: .milliseconds(200), maxAttempts: 2)
            let started = ContinuousClock.now
            let error = try await #require(throws: PayeeVerifierError.self) {
                try await verifier.verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            }
            let waited = started.duration(to: .now)
            #expect(error.failure == .timeout)
            #expect(error.code == .attemptsExhausted)
            #expect(error.attempts == 2)
            #expect(waited >= .milliseconds(400))
            #expect(waited < .milliseconds(1_500))
            #expect(sim.simulator.stats().calls("epc") == 2)
        }
    }

    @Test func injectedTimeoutIsATimeoutFailure() async throws {
        try await RunningSimulator.with(.init(faults: .init(timeoutMs: 5_000, failNext: [.timeout]))) { sim in
            let verifier = sim.verifier(.epc, timeout: .milliseconds(300), maxAttempts: 2)
            let answer = try await verifier.verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            #expect(answer.outcome == .match)
            #expect(answer.attempts == 2)
            #expect(sim.simulator.stats().faults("timeout") == 1)
        }
    }

    @Test func doesNotRetryA4xxOtherThan429() async throws {
        try await RunningSimulator.with(.init(apiKey: "right-key")) { sim in
            let verifier = sim.verifier(.epc, apiKey: "wrong-key")
            let error = try await #require(throws: PayeeVerifierError.self) {
                try await verifier.verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            }
            #expect(error.failure == .status(401, retryAfter: nil))
            #expect(error.code == .rejected)
            #expect(error.attempts == 1)
            let stats = sim.simulator.stats()
            #expect(stats.calls("epc") == 1)
            #expect(stats.faults("unauthorized") == 1)
        }
    }

    @Test func givesUpOnPersistentServerErrorsWithTheStatus() async throws {
        try await RunningSimulator.with(.init(faults: .init(errorRate: 1, errorStatus: 502))) { sim in
            let error = try await #require(throws: PayeeVerifierError.self) {
                try await sim.verifier(.epc).verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            }
            #expect(error.failure == .status(502, retryAfter: nil))
            #expect(error.attempts == 3)
            #expect(sim.simulator.stats().calls("epc") == 3)
        }
    }

    @Test func errorsShowTheIBANMaskedOnly() async throws {
        try await RunningSimulator.with(.init(faults: .init(errorRate: 1))) { sim in
            let error = try await #require(throws: PayeeVerifierError.self) {
                try await sim.verifier(.epc, maxAttempts: 1).verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            }
            for text in [String(describing: error), String(reflecting: error)] {
                #expect(!text.contains(Self.iban))
                #expect(!text.contains(Self.holder))
                #expect(text.contains("DE89**************3000"))
            }
        }
    }

    @Test func refusedConnectionIsAConnectionFailure() async throws {
        let configuration = VOPProviderConfiguration(
            provider: .epc, url: "http://127.0.0.1:1/epc/v1/payee-verifications",
            retryPolicy: ProviderRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), jitter: 0))
        let error = try await #require(throws: PayeeVerifierError.self) {
            try await configuration.makeVerifier(logger: RunningSimulator.quietLogger).verify(PayeeVerificationRequest(iban: Self.iban, name: "A"))
        }
        #expect(error.failure == .connection)
        #expect(error.attempts == 2)
    }
}
