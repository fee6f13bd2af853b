import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SluiceSimulators
import SluiceStages
import SluiceValidation
import SluiceVOP
import SluiceTestSupport
import Testing

@Suite struct VOPSimulatorTests {
    static let iban = "NL91ABNA0417164300"

    /// GET or POST `path` on the simulator; the status and the body.
    static func call(_ sim: RunningSimulator, _ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: sim.baseURL + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(body.readableBytesView))
    }

    @Test func holderEndpointTellsTheDerivedName() async throws {
        try await RunningSimulator.with { sim in
            let (status, body) = try await Self.call(sim, .GET, "/_sim/holder?iban=NL91%20ABNA%200417%201643%2000")
            #expect(status == 200)
            let holder = try JSONDecoder().decode([String: String].self, from: body)
            #expect(holder["name"] == AccountHolders.derived(for: Self.iban).name)
            #expect(holder["iban"] == Self.iban)
            let answer = try await sim.verifier(.epc).verify(PayeeVerificationRequest(iban: Self.iban, name: holder["name"]!))
            #expect(answer.outcome == .match)
            let (unknown, _) = try await Self.call(sim, .GET, "/_sim/holder?iban=NL00ABNA0417164300")
            #expect(unknown == 404)
        }
    }

    @Test func configStatsAndResetOverHTTP() async throws {
        try await RunningSimulator.with { sim in
            let (configStatus, configBody) = try await Self.call(sim, .POST, "/_sim/config", json: #"{"failNext":["error"],"latencyMs":5}"#)
            #expect(configStatus == 200)
            let faults = try JSONDecoder().decode(VOPFaultConfiguration.self, from: configBody)
            #expect(faults.failNext == [.error])
            #expect(faults.latencyMs == 5)
            _ = try await sim.verifier(.bav).verify(PayeeVerificationRequest(iban: Self.iban, name: "Someone Else"))
            let (_, statsBody) = try await Self.call(sim, .GET, "/_sim/stats")
            let stats = try JSONDecoder().decode(VOPSimulatorStats.self, from: statsBody)
            #expect(stats.calls("bav") == 2)
            #expect(stats.calls("total") == 2)
            #expect(stats.faults("error") == 1)
            #expect(stats.outcomes("bav", "no") == 1)
            #expect(stats.callTimestamps.count == 2)
            #expect(stats.callsLastSecond == 2)
            #expect(stats.inFlight == 0)
            let (resetStatus, _) = try await Self.call(sim, .POST, "/_sim/reset")
            #expect(resetStatus == 204)
            #expect(sim.simulator.stats().calls("total") == 0)
            #expect(sim.simulator.faults.latencyMs == 5)
            let (badStatus, _) = try await Self.call(sim, .POST, "/_sim/config", json: #"{"failNext":["meteor"]}"#)
            #expect(badStatus == 400)
        }
    }

    @Test func rejectsEPCCallsWithoutRequestHeaders() async throws {
        try await RunningSimulator.with { sim in
            let body = #"{"partyAccount":{"iban":"NL91ABNA0417164300"},"party":{"name":"A B"}}"#
            let (status, _) = try await Self.call(sim, .POST, VOPSimulator.epcPath, json: body)
            #expect(status == 400)
            #expect(sim.simulator.stats().faults("badRequest") == 1)
        }
    }

    @Test func sameSeedInjectsTheSameFaults() async throws {
        func faults(seed: UInt64) async throws -> [VOPFault?] {
            try await RunningSimulator.with(.init(faults: .init(errorRate: 0.3, rateLimitRate: 0.3, retryAfterSeconds: 0), seed: seed)) { sim in
                let verifier = sim.verifier(.bav, maxAttempts: 1)
                for _ in 0..<20 {
                    _ = try? await verifier.verify(PayeeVerificationRequest(iban: Self.iban, name: "A B"))
                }
                return sim.simulator.stats().requests.map(\.fault)
            }
        }
        let first = try await faults(seed: 42)
        #expect(try await faults(seed: 42) == first)
        #expect(first.contains(.error) && first.contains(.rateLimit) && first.contains(nil))
        #expect(try await faults(seed: 7) != first)
    }

    @Test func countsConcurrentCalls() async throws {
        try await RunningSimulator.with(.init(faults: .init(latencyMs: 300))) { sim in
            let verifier = sim.verifier(.epc)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { _ = try await verifier.verify(PayeeVerificationRequest(iban: Self.iban, name: "A B")) }
                }
                try await group.waitForAll()
            }
            let stats = sim.simulator.stats()
            #expect(stats.maxConcurrent >= 4)
            #expect(stats.calls("epc") == 6)
        }
    }

    @Test func holdersFromCSV() async throws {
        let csv = """
            iban,name,account_type
            DE89370400440532013000,"Müller, Hans",individual
            GB29 NWBK 6016 1331 9268 19,Acme Trading Ltd,company
            """
        let holders = try AccountHolders.parse(csv: csv)
        #expect(holders.holder(for: "DE89370400440532013000") == AccountHolder(name: "Müller, Hans"))
        #expect(holders.holder(for: "GB29NWBK60161331926819")?.accountType == .company)
        #expect(holders.holder(for: "NL91ABNA0417164300") == nil)
        try await RunningSimulator.with(.init(holders: holders)) { sim in
            let verifier = sim.verifier(.epc)
            let person = try await verifier.verify(PayeeVerificationRequest(iban: "DE89370400440532013000", name: "Hans Mueller"))
            let company = try await verifier.verify(PayeeVerificationRequest(iban: "GB29NWBK60161331926819", name: "ACME Trading Limited", accountType: .company))
            let unknown = try await verifier.verify(PayeeVerificationRequest(iban: "NL91ABNA0417164300", name: "Anyone"))
            #expect(person.outcome == .match)
            #expect(company.outcome == .match)
            #expect(unknown.outcome == .notPossible)
        }
        #expect(throws: (any Error).self) { try AccountHolders.parse(csv: "DE89370400440532013000\n") }
    }

    @Test func derivedNamesAreStable() {
        #expect(AccountHolders.derived(for: "DE89 3704 0044 0532 0130 00") == AccountHolders.derived(for: "DE89370400440532013000"))
        #expect(AccountHolders.derived(for: "DE89370400440532013000") != AccountHolders.derived(for: "GB29NWBK60161331926819"))
    }
}
