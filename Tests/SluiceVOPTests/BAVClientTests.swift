import SluiceSimulators
import SluiceStages
import SluiceVOP
import SluiceTestSupport
import Testing

@Suite struct BAVClientTests {
    static let iban = "GB29NWBK60161331926819"
    static let holder = AccountHolders.derived(for: iban).name

    @Test(arguments: [
        (iban, holder, "yes", PayeeVerificationOutcome.match),
        (iban, String(holder.prefix(1)) + ". " + holder.split(separator: " ").last!, "partial", .closeMatch(matchedName: nil)),
        (iban, "Xaver Quibbleworth", "no", .noMatch),
        ("GB00NWBK60161331926819", holder, "unavailable", .notPossible),
    ])
    func answersEachBAVOutcome(iban: String, name: String, answer: String, outcome: PayeeVerificationOutcome) async throws {
        try await RunningSimulator.with { sim in
            let result = try await sim.verifier(.bav).verify(PayeeVerificationRequest(iban: iban, name: name))
            #expect(result.outcome == outcome)
            #expect(result.matchedName == nil)
            #expect(sim.simulator.stats().outcomes("bav", answer) == 1)
        }
    }

    @Test func sendsTheAPIKeyHeader() async throws {
        try await RunningSimulator.with(.init(apiKey: "bav-key")) { sim in
            let result = try await sim.verifier(.bav, apiKey: "bav-key").verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            #expect(result.outcome == .match)
            let request = try #require(sim.simulator.stats().requests.first)
            #expect(request.apiKey == "bav-key")
            #expect(request.authorization == nil)
            #expect(request.api == "bav")
        }
    }

    @Test func missingKeyIsRejectedWithoutRetry() async throws {
        try await RunningSimulator.with(.init(apiKey: "bav-key")) { sim in
            let error = try await #require(throws: PayeeVerifierError.self) {
                try await sim.verifier(.bav).verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            }
            #expect(error.failure == .status(401, retryAfter: nil))
            #expect(sim.simulator.stats().calls("bav") == 1)
        }
    }

    @Test func retries429ThenAnswers() async throws {
        try await RunningSimulator.with(.init(faults: .init(retryAfterSeconds: 0, failNext: [.rateLimit, .error]))) { sim in
            let result = try await sim.verifier(.bav).verify(PayeeVerificationRequest(iban: Self.iban, name: Self.holder))
            #expect(result.outcome == .match)
            #expect(result.attempts == 3)
        }
    }
}
