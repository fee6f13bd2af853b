import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceSimulators
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Billing by real processes: `sluice serve` workers bill a run its API started and show it
/// over the API and in the metrics; `sluice billing start` killed with SIGKILL mid-billing and
/// run again charges every attempt exactly once.
@Suite(.serialized)
struct BillingServeTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    func gatewayEnvironment(_ gateway: RunningGateway) -> [String: String] {
        ["SLUICE_GENESIS_URL": gateway.baseURL, "SLUICE_GENESIS_LOGIN": gateway.login, "SLUICE_GENESIS_PASSWORD": gateway.password]
    }

    /// A debtor file of NL IBANs (billable) with amounts that the simulator approves, declines
    /// (cents 51) or leaves pending (cents 60).
    func debtorFile(rows: Int) throws -> String {
        let path = NSTemporaryDirectory() + "billing-serve-\(UUID().uuidString.prefix(8)).csv"
        var text = "external_id,first_name,last_name,iban,amount,currency\n"
        for index in 0..<rows {
            let cents = index % 10 == 3 ? 51 : (index % 10 == 7 ? 60 : 10 + index % 40)
            text += "EXT-\(index),Ada,Lovelace,\(BillingTests.dutchIBAN()),\(20 + index % 50).\(cents),EUR\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func runID(of input: String) async throws -> String {
        try #require(try await environment.strings("SELECT id::text FROM sluice.runs WHERE object_uri = '\(input)' ORDER BY started_at DESC LIMIT 1").first)
    }

    @Test func aServedNodeBillsWhatItsAPILoadedAndShowsItOverTheAPIAndInMetrics() async throws {
        try await RunningGateway.with { gateway in
            let folder = NSTemporaryDirectory() + "billing-pipelines-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let pipeline = try IntegrationEnvironment.pipelineFile(
                "billserve", in: folder, extra: "\nbilling:\n  terminal: \(gateway.terminal)\n  rate_per_second: 0\n")
            let input = try await environment.upload(try debtorFile(rows: 120), key: "it/\(UUID().uuidString)/incoming/bill.csv")
            let server = try await startServer(pipelines: folder, environment: gatewayEnvironment(gateway))
            let (accepted, _) = try await post(server.base + "/v1/runs", json: #"{"pipeline": "\#(pipeline.name)", "input": "\#(input)"}"#)
            #expect(accepted.status == 202)
            #expect(try await finalState(server, job: try #require(accepted.json["job_id"] as? Int)) == "completed")
            let run = try await runID(of: input)

            // The completed run was handed over; a worker of the same node bills it.
            var billing: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                billing = try await get(server.base + "/v1/runs/\(run)/billing").json
                if billing["state"] as? String == "completed" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(billing["state"] as? String == "completed", "\(billing)")
            let attempts = billing["attempts"] as? [String: Int] ?? [:]
            #expect(billing["attempts_total"] as? Int == 120 && attempts["declined"] == 12 && attempts["pending"] == 12 && attempts["approved"] == 96,
                    "\(billing)")
            let ledger = gateway.simulator.ledger()
            #expect(ledger.count == 120 && ledger.allSatisfy { $0.saleRequests == 1 })

            // Paged attempts, IBANs masked.
            let first = try await get(server.base + "/v1/attempts?run=\(run)&limit=100")
            let items = first.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 100 && items.allSatisfy { ($0["iban_masked"] as? String)?.contains("*") == true })
            let cursor = try #require(first.json["next_cursor"] as? String)
            let rest = try await get(server.base + "/v1/attempts?run=\(run)&limit=100&cursor=\(cursor)")
            #expect((rest.json["items"] as? [[String: Any]])?.count == 20)
            #expect(try await get(server.base + "/v1/attempts?status=nope").status == 400)
            let declined = try await get(server.base + "/v1/attempts?run=\(run)&status=declined")
            #expect((declined.json["items"] as? [[String: Any]])?.allSatisfy { $0["reason_code"] as? String == "AM04" } == true)
            // Asking again changes nothing and answers 202 with the billing.
            let again = try await post(server.base + "/v1/runs/\(run)/billing", json: "").0
            #expect(again.status == 202 && again.json["attempts_total"] as? Int == 120)
            #expect(try await get(server.base + "/v1/runs/\(UUID().uuidString)/billing").status == 404)


            // The metrics count what the gateway answered.
            var request = HTTPClientRequest(url: server.base + "/metrics")
            request.headers.add(name: "Authorization", value: "Bearer \(server.token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let metrics = String(buffer: try await response.body.collect(upTo: 8 << 20))
            func value(_ prefix: String) -> Double {
                metrics.split(separator: "\n").filter { $0.hasPrefix(prefix) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
            }
            #expect(value("sluice_billing_attempts_total{status=\"approved\"}") == 96)
            #expect(value("sluice_billing_attempts_total{status=\"declined\"}") == 12)
            #expect(value("sluice_billing_gateway_call_duration_seconds_count{endpoint=\"sale\"}") == 120)
            #expect(metrics.contains("sluice_billing_breaker_open") || metrics.contains("sluice_billing_gateway_calls_in_flight"))
            #expect(server.stop().status == 0)

            // A pipeline that bills on request: nothing until an operator starts it over the API.
            let manual = try IntegrationEnvironment.pipelineFile(
                "billmanual", in: folder, extra: "\nbilling:\n  terminal: \(gateway.terminal)\n  rate_per_second: 0\n  start: manual\n")
            let manualInput = try await environment.upload(try debtorFile(rows: 10), key: "it/\(UUID().uuidString)/incoming/manual.csv")
            let manualServer = try await startServer(pipelines: folder, environment: gatewayEnvironment(gateway))
            let (started, _) = try await post(manualServer.base + "/v1/runs", json: #"{"pipeline": "\#(manual.name)", "input": "\#(manualInput)"}"#)
            #expect(try await finalState(manualServer, job: try #require(started.json["job_id"] as? Int)) == "completed")
            let manualRun = try await runID(of: manualInput)
            #expect(try await get(manualServer.base + "/v1/runs/\(manualRun)/billing").status == 404, "not billed on completion")
            let handed = try await post(manualServer.base + "/v1/runs/\(manualRun)/billing", json: "").0
            #expect(handed.status == 202 && handed.json["state"] as? String == "planning", "\(handed.json)")
            var manualState = ""
            let manualDeadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < manualDeadline, manualState != "completed" {
                manualState = try await get(manualServer.base + "/v1/runs/\(manualRun)/billing").json["state"] as? String ?? ""
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(manualState == "completed")
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.audit WHERE action = 'billing.start' AND subject = '\(manualRun)'
                """) == 1, "the start is audited")
            #expect(manualServer.stop().status == 0)
        }
    }

    @Test func aBillingKilledWithSIGKILLAndRunAgainChargesEveryAttemptExactlyOnce() async throws {
        var configuration = GatewaySimulatorConfiguration()
        configuration.faults.latencyMs = 25
        try await RunningGateway.with(configuration) { gateway in
            let pipeline = try IntegrationEnvironment.pipelineFile(
                "billkill", extra: "\nbilling:\n  terminal: \(gateway.terminal)\n  rate_per_second: 0\n  max_in_flight: 8\n")
            let path = try debtorFile(rows: 400)
            var cli = self.cli
            cli.environment.merge(gatewayEnvironment(gateway)) { _, new in new }
            let loaded = try await cli.run(["run", pipeline.path, "--input", path, "--json", "--no-progress"])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            let run = try await runID(of: path)
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_runs WHERE run_id = '\(run)'") == 1, "handed over on completion")

            let first = try cli.start(["billing", "start", run])
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline,
                  try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status <> 'planned'") < 120 {
                try await Task.sleep(for: .milliseconds(10))
            }
            first.kill(SIGKILL)
            #expect(first.wait().killed)
            let sentBefore = try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status <> 'planned'")
            #expect(sentBefore >= 120 && sentBefore < 400, "killed mid-billing: \(sentBefore)")

            let second = try await cli.run(["billing", "start", run, "--json"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.contains("\"state\" : \"completed\""))
            let ledger = gateway.simulator.ledger()
            let attempts = try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = '\(run)'")
            #expect(attempts == 400, "none lost")
            #expect(ledger.count == 400 && ledger.allSatisfy { $0.charges <= 1 }, "none charged twice")
            #expect(ledger.filter { $0.saleRequests > 1 }.isEmpty, "an attempt sent before the kill was reconciled, not sent again")
            #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status IN ('planned', 'sending')") == 0)
            #expect(gateway.simulator.stats().doublets == 0)
        }
    }
}
