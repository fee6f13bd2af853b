import Foundation
import PostgresNIO
import SluiceTestSupport
import Testing

/// The VOP report and the run's VOP figures on the real stack: checks put into
/// `sluice.vop_checks` with SQL for a run made in the database, read back through
/// `sluice report vop`, `sluice report summary` and `GET /v1/runs/{id}/vop` of a live server.
@Suite(.serialized)
struct VOPReportTests: ReportTesting {
    static let reportTables = ["sluice.vop_checks"]
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    /// One check as the test inserts it.
    struct Check {
        var line: Int64
        var name: String
        var iban: String
        var outcome: String
        var matched: String?
        var score: Double?
        var answeredBy: String
        var decision: String
        var latency: Double?
        var provider = "epc"
        var accountType = "individual"

        /// The report's record for it.
        var record: [String] {
            [String(line), name, iban, outcome, matched ?? "", score.map(Self.number) ?? "", answeredBy == "cache" ? "true" : "false",
             answeredBy, decision, latency.map(Self.number) ?? "", provider, accountType]
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int64(value)) : "\(value)"
        }
    }

    /// Inserted out of line order: the report sorts them.
    static let checks = [
        Check(line: 11, name: "Unavailable Ltd", iban: "NL91**********4300", outcome: "unavailable", answeredBy: "provider",
              decision: "flagged", latency: 5000, accountType: "company"),
        Check(line: 2, name: "Marie Muster", iban: "DE89**************3000", outcome: "match", score: 0.98, answeredBy: "provider",
              decision: "accepted", latency: 20.5),
        Check(line: 6, name: "Not Sampled", iban: "DE02**************0001", outcome: "not_sampled", answeredBy: "none", decision: "accepted"),
        Check(line: 3, name: "Doe, \"Jane\"", iban: "FR14**************0189", outcome: "close_match", matched: "Jane Doe", score: 0.85,
              answeredBy: "provider", decision: "flagged", latency: 40, provider: "bav"),
        Check(line: 5, name: "=SUM(A1:A9)", iban: "DE44**************0000", outcome: "no_match", score: 0.1, answeredBy: "cache",
              decision: "rejected"),
        Check(line: 9, name: "Over Budget", iban: "AT61**************3774", outcome: "over_budget", answeredBy: "none", decision: "accepted"),
        Check(line: 8, name: "ACME\nGmbH", iban: "BE68**********0747", outcome: "match", score: 1, answeredBy: "shared", decision: "accepted",
              accountType: "company"),
    ]

    static var verified: [Check] { checks.filter { $0.answeredBy != "none" }.sorted { $0.line < $1.line } }
    static var all: [Check] { checks.sorted { $0.line < $1.line } }
    static let header = ["line", "name_sent", "iban", "outcome", "matched_name", "score", "from_cache", "answered_by", "decision",
                         "latency_ms", "provider", "account_type"]

    /// A completed run in the database with `checks` in `sluice.vop_checks`.
    func makeRun(checks: [Check] = Self.checks) async throws -> String {
        try await makeSyntheticRun { connection, id in
            for check in checks {
                try await connection.query("""
                    INSERT INTO sluice.vop_checks (run_id, source_line, iban_masked, iban_sha256, name_sent, normalized_name, account_type,
                        provider, outcome, matched_name, score, answered_by, latency_ms, decision)
                    VALUES (\(id), \(check.line), \(check.iban), sha256(convert_to(\(check.iban), 'UTF8')), \(check.name),
                        lower(\(check.name)), \(check.accountType), \(check.provider), \(check.outcome), \(check.matched), \(check.score),
                        \(check.answeredBy), \(check.latency), \(check.decision))
                    """, logger: environment.logger)
            }
        }
    }

    // MARK: - The CLI

    @Test func theCSVReportListsTheVerifiedChecksInLineOrder() async throws {
        let run = try await makeRun()
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try sluice(["report", "vop", run, "--format", "csv", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("wrote \(Self.verified.count) VOP checks to \(path)"))
        #expect(try await Self.records(path) == [Self.header] + Self.verified.map(\.record))
        let text = try ReportFiles.text(path)
        #expect(text.contains("3,\"Doe, \"\"Jane\"\"\",FR14**************0189,close_match,Jane Doe,0.85,false,provider,flagged,40,bav,individual\r\n"))
        #expect(text.contains("5,=SUM(A1:A9),DE44**************0000,no_match,,0.1,true,cache,rejected,,epc,individual\r\n"))

        // Without --output, to stdout; the prefix of the id is enough.
        let printed = try sluice(["report", "vop", String(run.prefix(13)), "--format", "csv"])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(String(decoding: printed.stdout, as: UTF8.self) == text)
        try await deleteRuns([run])
    }

    @Test func includeUnverifiedAddsTheChecksThatWereNotVerified() async throws {
        let run = try await makeRun()
        let result = try sluice(["report", "vop", run, "--include-unverified"])
        #expect(result.status == 0, "\(result.stderr)")
        let path = try Self.write(result.stdout, suffix: "csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let records = try await Self.records(path)
        #expect(records == [Self.header] + Self.all.map(\.record))
        #expect(records.filter { $0.count > 7 && $0[7] == "none" }.map { $0[3] } == ["not_sampled", "over_budget"])
        try await deleteRuns([run])
    }

    /// The XLSX report reads back with Sluice's own reader to the CSV report's records, to a
    /// file or to stdout, and its `Summary` sheet has the run's VOP figures.
    @Test func theXLSXReportReadsBackAsTheCSVReport() async throws {
        let run = try await makeRun()
        let xlsx = ReportFiles.temporaryPath("xlsx")
        defer { try? FileManager.default.removeItem(atPath: xlsx) }
        let written = try sluice(["report", "vop", run, "--output", xlsx, "--include-unverified"])
        #expect(written.status == 0, "the format follows the .xlsx extension: \(written.stderr)")
        #expect(try ReportFiles.isValidZip(xlsx))
        #expect(try await Self.records(xlsx) == [Self.header] + Self.all.map(\.record))
        let summary = try await Self.records(xlsx, sheet: "Summary")
        #expect(summary.contains(["vop", "provider_calls", "3"]), "\(summary)")
        #expect(summary.contains(["vop_by_answered_by", "none", "2"]))

        let printed = try sluice(["report", "vop", run, "--format", "xlsx"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let copy = try Self.write(printed.stdout, suffix: "xlsx")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        #expect(try await Self.records(copy) == [Self.header] + Self.verified.map(\.record))
        try await deleteRuns([run])
    }

    @Test func theSummaryHasTheVOPFiguresOnlyForARunWithChecks() async throws {
        let run = try await makeRun()
        let bare = try await makeRun(checks: [])
        let json = try sluice(["report", "summary", run, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        let vop = try #require(object["vop"] as? [String: Any], "\(object)")
        #expect(vop["checks"] as? Int == Self.checks.count)
        #expect(vop["provider_calls"] as? Int == 3)
        #expect(vop["by_outcome"] as? [String: Int] == [
            "match": 2, "close_match": 1, "no_match": 1, "unavailable": 1, "not_sampled": 1, "over_budget": 1,
        ])
        #expect(vop["by_answered_by"] as? [String: Int] == ["provider": 3, "shared": 1, "cache": 1, "none": 2])
        #expect(vop["by_decision"] as? [String: Int] == ["accepted": 4, "flagged": 2, "rejected": 1])
        // Latencies 20.5, 40 and 5000 ms: the mean, and PostgreSQL's continuous 95th percentile
        // (0.95 × 2 = 1.9 of the way: 40 + 0.9 × 4960).
        let mean = try #require(vop["latency_mean_ms"] as? Double)
        let p95 = try #require(vop["latency_p95_ms"] as? Double)
        #expect(abs(mean - (20.5 + 40 + 5000) / 3) < 1e-9)
        #expect(abs(p95 - (40 + 0.9 * 4960)) < 1e-9)

        let text = try sluice(["report", "summary", run])
        let output = String(decoding: text.stdout, as: UTF8.self)
        #expect(output.contains("Payee verification (VOP)") && output.contains("provider calls  3"), "\(output)")
        #expect(output.contains("answered by     provider 3, shared 1, cache 1, none 2"), "\(output)")

        let none = try sluice(["report", "summary", bare, "--format", "json"])
        let noneObject = try #require(try JSONSerialization.jsonObject(with: Data(none.stdout)) as? [String: Any])
        #expect(noneObject["vop"] == nil && noneObject["run_id"] as? String == bare)
        #expect(!String(decoding: try sluice(["report", "summary", bare]).stdout, as: UTF8.self).contains("VOP"))
        try await deleteRuns([run, bare])
    }

    @Test func errorsNameTheProblemAndUseTheDocumentedExitCodes() async throws {
        let unknown = try sluice(["report", "vop", UUID().uuidString, "--output", "/tmp/x.csv"])
        #expect(unknown.status == 7, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no run with id"))
        let notAnID = try sluice(["report", "vop", "not-a-run"])
        #expect(notAnID.status == 4, "\(notAnID.stderr)")

        let run = try await makeRun(checks: [])
        let badPath = "/nonexistent-\(UUID())/vop.csv"
        let unwritable = try sluice(["report", "vop", run, "--output", badPath])
        #expect(unwritable.status == 4 && unwritable.stderr.contains(badPath), "\(unwritable.stderr)")
        let badFormat = try sluice(["report", "vop", run, "--format", "pdf"])
        #expect(badFormat.status == 64, "\(badFormat.stderr)")
        // A run without checks: a header-only report.
        let empty = try sluice(["report", "vop", run])
        #expect(empty.status == 0 && String(decoding: empty.stdout, as: UTF8.self) == Self.header.joined(separator: ",") + "\r\n")
        try await deleteRuns([run])
    }

    /// The report process's peak RSS does not grow with the number of checks: 10× the rows
    /// costs at most a few MB more, in either format.
    @Test func theReportIsWrittenInConstantMemory() async throws {
        var runs: [String] = []
        for count in [10_000, 100_000] {
            let run = try await makeRun(checks: [])
            try await environment.withConnection { connection in
                try await connection.query("""
                    INSERT INTO sluice.vop_checks (run_id, source_line, iban_masked, iban_sha256, name_sent, normalized_name, account_type,
                        provider, outcome, matched_name, score, answered_by, latency_ms, decision)
                    SELECT \(UUID(uuidString: run)!), g + 2, 'DE89**************3000', sha256(int8send(g)), 'Payee number ' || g,
                        'payee number ' || g, 'individual', 'epc', 'close_match', 'Payee No. ' || g, 0.8, 'provider', 30 + g % 100, 'flagged'
                    FROM generate_series(0, \(count - 1)) AS g
                    """, logger: environment.logger)
            }
            runs.append(run)
        }
        for format in ["csv", "xlsx"] {
            var peaks: [Int] = []
            for run in runs {
                let output = ReportFiles.temporaryPath(format)
                let timing = ReportFiles.temporaryPath("time")
                defer {
                    try? FileManager.default.removeItem(atPath: output)
                    try? FileManager.default.removeItem(atPath: timing)
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
                process.arguments = ["-f", "%M", "-o", timing, cli.binary, "report", "vop", run, "--format", format, "--output", output]
                process.standardInput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                peaks.append(Int(try ReportFiles.text(timing).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? "") ?? 0)
            }
            #expect(peaks[1] < peaks[0] + 16_384, "\(format): \(peaks[0]) KB for 10k checks, \(peaks[1]) KB for 100k")
        }
        try await deleteRuns(runs)
    }

    // MARK: - The API

    @Test func theAPIServesTheReportToViewersAsTheCLIWritesIt() async throws {
        let run = try await makeRun()
        let bare = try await makeRun(checks: [])
        let server = try await startServer(environment: ["SLUICE_WORKERS": "0", "SLUICE_WATCH_INTERVAL": "0"])
        defer { server.running.kill() }
        let viewer = try await createToken(role: "viewer", name: IntegrationEnvironment.uniqueName("vop-viewer"))
        let base = server.base + "/v1/runs/\(run)/vop"

        let csv = try await download(base, auth: .bearer(viewer))
        #expect(csv.status == 200)
        #expect(csv.header("content-type") == "text/csv; charset=utf-8")
        #expect(csv.header("content-disposition") == "attachment; filename=\"run-\(run.prefix(8))-vop.csv\"")
        let fromCLI = try sluice(["report", "vop", run])
        #expect(csv.bytes == fromCLI.stdout, "the API's CSV is the CLI's")
        let csvPath = try Self.write(csv.bytes, suffix: "csv")
        defer { try? FileManager.default.removeItem(atPath: csvPath) }
        #expect(try await Self.records(csvPath) == [Self.header] + Self.verified.map(\.record))

        let unverified = try await download(base + "?format=csv&include_unverified=true", auth: .bearer(viewer))
        let unverifiedPath = try Self.write(unverified.bytes, suffix: "csv")
        defer { try? FileManager.default.removeItem(atPath: unverifiedPath) }
        #expect(try await Self.records(unverifiedPath) == [Self.header] + Self.all.map(\.record))
        let explicit = try await download(base + "?include_unverified=false", auth: .bearer(viewer))
        #expect(explicit.bytes == csv.bytes)

        let xlsx = try await download(base + "?format=xlsx&include_unverified=true", auth: .bearer(viewer))
        #expect(xlsx.status == 200)
        #expect(xlsx.header("content-type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let xlsxPath = try Self.write(xlsx.bytes, suffix: "xlsx")
        defer { try? FileManager.default.removeItem(atPath: xlsxPath) }
        #expect(try await Self.records(xlsxPath) == [Self.header] + Self.all.map(\.record))

        // The run summary of the API has the figures too, and only for a run with checks.
        let summary = try await download(server.base + "/v1/runs/\(run)/summary", auth: .bearer(viewer))
        let figures = summary.json["vop"] as? [String: Any]
        #expect(figures?["provider_calls"] as? Int == 3 && figures?["checks"] as? Int == Self.checks.count, "\(summary.json)")
        let bareSummary = try await download(server.base + "/v1/runs/\(bare)/summary", auth: .bearer(viewer))
        #expect(bareSummary.status == 200 && bareSummary.json["vop"] == nil)
        let bareReport = try await download(server.base + "/v1/runs/\(bare)/vop")
        #expect(bareReport.status == 200 && String(decoding: bareReport.bytes, as: UTF8.self) == Self.header.joined(separator: ",") + "\r\n")

        try await expectProblems([
            ("/v1/runs/\(run)/vop?format=pdf", 400, "invalid_argument"),
            ("/v1/runs/\(run)/vop?include_unverified=maybe", 400, "invalid_argument"),
            ("/v1/runs/nope/vop", 400, "invalid_argument"),
            ("/v1/runs/\(UUID().uuidString)/vop", 404, "run_not_found"),
            ("/v1/runs/\(UUID().uuidString)/vop?format=xlsx", 404, "run_not_found"),
        ], base: server.base, auth: .bearer(viewer))
        #expect(try await download(base, auth: .none).status == 401)
        #expect(try await download(base, auth: .bearer("slc_" + String(repeating: "B", count: 43))).status == 401)

        #expect(server.stop().status == 0)
        try await deleteRuns([run, bare])
    }
}

