import SluiceCore
import SluiceSimulators
import SluiceStages
import SluiceTestSupport
import Testing
@testable import SluiceVOP

/// The stage against the VOP simulator over HTTP: what the simulator counts is what the
/// stage really sent.
struct VOPStageSimulatorTests {
    typealias Rows = VOPStageTests

    /// Valid IBANs, so the simulator knows a holder for each (derived from the IBAN).
    static func ibans(_ count: Int) -> [String] {
        (1...count).map { n in
            let bban = "37040044" + String(format: "%010d", n)
            let digits = (bban + "131400").reduce(into: 0) { remainder, char in remainder = (remainder * 10 + Int(String(char))!) % 97 }
            return "DE" + String(format: "%02d", 98 - digits) + bban
        }
    }

    /// Rows carrying each IBAN's simulated holder's name, so every answer is a match.
    static func matchingBatch(_ ibans: [String], simulator: RunningSimulator) throws -> RecordBatch {
        try Rows.batch(ibans.enumerated().map { index, iban in
            let holder = try #require(simulator.simulator.holder(for: iban))
            let words = holder.name.split(separator: " ", maxSplits: 1).map(String.init)
            return Rows.row(index, iban: iban, first: words[0], last: words.count > 1 ? words[1] : "")
        })
    }

    @Test func allFourEPCOutcomesAndTheRateLimitAsTheSimulatorSawThem() async throws {
        let ibans = Self.ibans(4)
        try await RunningSimulator.with { simulator in
            let names = try ibans.map { try #require(simulator.simulator.holder(for: $0)).name }
            let first = names[1].split(separator: " ").first.map(String.init) ?? ""
            let last = names[1].split(separator: " ").last.map(String.init) ?? ""
            var batch = Rows.batch([
                Rows.row(1, iban: ibans[0], first: String(names[0].split(separator: " ")[0]), last: String(names[0].split(separator: " ")[1])),
                Rows.row(2, iban: ibans[1], first: String(first.prefix(1)) + ".", last: last),
                Rows.row(3, iban: ibans[2], first: "Nobody", last: "Atall"),
                Rows.row(4, iban: "DE00370400440000000000", first: "Jane", last: "Doe"),
            ])
            let stage = VOPStage(
                columns: Rows.columns, verifier: simulator.verifier(.epc),
                configuration: VOPStageConfiguration(ratePerSecond: 20, burst: 1))
            try await stage.process(&batch)
            let outcomes = VOPStageCacheTests.column("outcome", of: batch)
            #expect(outcomes == ["match", "close_match", "no_match", "not_possible"])
            let stats = simulator.simulator.stats()
            #expect(stats.calls("epc") == 4)
            #expect(stats.outcomes("epc", "MTCH") == 1 && stats.outcomes("epc", "CMTC") == 1)
            #expect(stats.outcomes("epc", "NMTC") == 1 && stats.outcomes("epc", "NOAP") == 1)
            // 20 calls/s with a burst of 1: four calls leave 150 ms apart from first to last.
            // At the simulator the first may arrive late (it opens the connection), so the test
            // asks for 100 ms; without the limit the four arrive within a few milliseconds.
            let arrivals = stats.callTimestamps
            #expect(arrivals.count == 4)
            #expect((arrivals.last ?? 0) - (arrivals.first ?? 0) >= 0.1, "arrivals \(arrivals)")
        }
    }

    @Test func theBreakerOpensOnABurstOf5xxAndClosesWhenTheProviderRecovers() async throws {
        let ibans = Self.ibans(40)
        try await RunningSimulator.with { simulator in
            var failing = VOPFaultConfiguration.Patch()
            failing.errorRate = 1
            _ = simulator.simulator.update(failing)
            let breaker = CircuitBreakerConfiguration(windowSize: 10, minimumCalls: 10, coolDown: .milliseconds(300), probeCalls: 2)
            let stage = VOPStage(
                columns: Rows.columns, verifier: simulator.verifier(.epc, maxAttempts: 1),
                configuration: VOPStageConfiguration(maxCallsInFlight: 1, breaker: breaker))
            var outage = try Self.matchingBatch(Array(ibans[0..<20]), simulator: simulator)
            try await stage.process(&outage)
            #expect(simulator.simulator.stats().calls("epc") == 10, "ten failures open the breaker; no call after that")
            #expect(VOPStageCacheTests.column("outcome", of: outage) == Array(repeating: "unavailable", count: 20))
            #expect(outage.flags.count == 20 && outage.acceptedCount == 20, "the default policy flags unavailable rows")
            guard case .open = stage.breakerState else {
                Issue.record("the breaker should be open, is \(stage.breakerState)")
                return
            }

            var healthy = VOPFaultConfiguration.Patch()
            healthy.errorRate = 0
            _ = simulator.simulator.update(healthy)
            try await Task.sleep(for: .milliseconds(400))
            var recovered = try Self.matchingBatch(Array(ibans[20..<40]), simulator: simulator)
            try await stage.process(&recovered)
            #expect(stage.breakerState == .closed, "the probes succeeded")
            #expect(VOPStageCacheTests.column("outcome", of: recovered) == Array(repeating: "match", count: 20))
            #expect(simulator.simulator.stats().calls("epc") == 30)
        }
    }

    @Test func theBAVOutcomesMapToTheSameChecks() async throws {
        let ibans = Self.ibans(2)
        try await RunningSimulator.with { simulator in
            var batch = try Self.matchingBatch([ibans[0]], simulator: simulator)
            let stage = VOPStage(columns: Rows.columns, verifier: simulator.verifier(.bav), provider: .bav)
            try await stage.process(&batch)
            #expect(VOPStageCacheTests.column("outcome", of: batch) == ["match"])
            #expect(VOPStageCacheTests.column("provider", of: batch) == ["bav"])
            #expect(simulator.simulator.stats().outcomes("bav", "yes") == 1)
        }
    }
}
