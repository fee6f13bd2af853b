import Foundation
import PostgresNIO
import SluiceTestSupport
import Testing

/// The billing report on the real stack: a run made in the database, handed to billing, its
/// attempts and skipped rows put into `sluice.billing_attempts` and `sluice.billing_skips`
/// with SQL, read back through `sluice report billing` and `GET /v1/runs/{id}/billing/report`.
@Suite(.serialized)
struct BillingReportTests: ReportTesting {
    static let reportTables = ["sluice.billing_attempts", "sluice.billing_skips", "sluice.billing_runs"]
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    /// One row of the run's billing as the test inserts it: an attempt (`status`) or a skip.
    struct Billed {
        var line: Int64
        var iban: String
        var amount: Int64?
        var model: String?
        var status: String?
        var reason: String?
        var detail: String?
        var uniqueID: String?
        var saleRequests = 1

        var isSkip: Bool { status == nil }

        /// The report's record for it in `run`.
        func record(run: String) -> [String] {
            let amountText = amount.map { "\($0 / 100)." + ($0 % 100 < 10 ? "0" : "") + "\($0 % 100)" } ?? ""
            return isSkip
                ? [String(line), iban, amountText, "", model ?? "", "skipped", reason ?? "", detail ?? "", "", "", ""]
                : [String(line), iban, amountText, "EUR", model ?? "", status!, reason ?? "", detail ?? "", "sl-\(run)-\(line)",
                   uniqueID ?? "", String(saleRequests)]
        }
    }

    /// Inserted out of line order, attempts and skips interleaved: the report merges them.
    static let billed = [
        Billed(line: 9, iban: "NL91**********4300", amount: 9999, model: "recovery", status: "declined", reason: "AM04",
               detail: "Insufficient funds, \"retry\"\nlater", uniqueID: "u-9", saleRequests: 2),
        Billed(line: 2, iban: "DE89**************3000", amount: 199, model: "flywheel", status: "approved", detail: "Approved", uniqueID: "u-2"),
        Billed(line: 4, iban: "FR14**************0189", amount: 495, model: "flywheel", reason: "billing.cycle_locked",
               detail: "next charge from 2027-03-01"),
        Billed(line: 3, iban: "AT61**************3774", amount: 2999, model: "recovery", status: "approved", uniqueID: "u-3"),
        Billed(line: 6, iban: "", amount: nil, reason: "billing.invalid_row", detail: "=SUM(A1:A9)"),
        Billed(line: 7, iban: "BE68**********0747", amount: 1000, model: "legacy", status: "pending", uniqueID: "u-7"),
        Billed(line: 5, iban: "DE02**************0001", amount: 500, model: "legacy", status: "error", reason: "MD01",
               detail: "Gateway says no", saleRequests: 3),
    ]

    static let header = ["line", "iban", "amount", "currency", "model", "outcome", "reason", "detail", "transaction_id", "unique_id", "sale_requests"]

    static func expected(run: String) -> [[String]] {
        [header] + billed.sorted { $0.line < $1.line }.map { $0.record(run: run) }
    }

    /// A completed run in the database, handed to billing (unless `handedOver` is false), with
    /// `billed` in the billing tables, and a chargeback-era attempt without a line that is not its billing.
    func makeRun(billed: [Billed] = Self.billed, handedOver: Bool = true) async throws -> String {
        try await makeSyntheticRun { connection, id in
            guard handedOver else { return }
            try await connection.query("""
                INSERT INTO sluice.billing_runs (run_id, pipeline, target_table, settings, state)
                VALUES (\(id), 'report_synthetic', 'sluice.none', '{"terminal": "sim-terminal", "currency": "EUR"}'::jsonb, 'completed')
                """, logger: environment.logger)
            for row in billed {
                if row.isSkip {
                    try await connection.query("""
                        INSERT INTO sluice.billing_skips (run_id, source_line, iban_masked, amount_minor, model, reason, detail)
                        VALUES (\(id), \(row.line), nullif(\(row.iban), ''), \(row.amount), \(row.model), \(row.reason!), \(row.detail ?? ""))
                        """, logger: environment.logger)
                } else {
                    try await connection.query("""
                        INSERT INTO sluice.billing_attempts (run_id, iban_hash, amount_minor, currency, status, source_line, transaction_id,
                            terminal, model, iban_masked, unique_id, gateway_message, reason_code, sale_requests)
                        VALUES (\(id), sha256(convert_to(\(row.iban), 'UTF8')), \(row.amount), 'EUR', \(row.status!), \(row.line),
                            \("sl-\(id.uuidString.lowercased())-\(row.line)"), 'sim-terminal', \(row.model), \(row.iban), \(row.uniqueID),
                            \(row.detail), \(row.reason), \(row.saleRequests))
                        """, logger: environment.logger)
                }
            }
            try await connection.query("""
                INSERT INTO sluice.billing_attempts (run_id, iban_hash, amount_minor, currency, status)
                VALUES (\(id), sha256(convert_to('not billing', 'UTF8')), 100, 'EUR', 'chargebacked')
                """, logger: environment.logger)
        }
    }

    /// The XLSX report's records: amounts are numbers there (`19.99`, `5` for 5.00).
    static func xlsxRecords(_ records: [[String]]) -> [[String]] {
        records.enumerated().map { index, record in
            guard index > 0, let value = Double(record[2]) else { return record }
            var record = record
            record[2] = value == value.rounded() ? String(Int64(value)) : "\(value)"
            return record
        }
    }

    /// Anything shaped like a whole IBAN: two letters, two digits, 11 or more letters or digits.
    static func unmaskedIBANs(_ text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\\b")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
    }

    // MARK: - The CLI

    @Test func theCSVReportListsAttemptsAndSkipsInLineOrderWithMaskedIBANs() async throws {
        let run = try await makeRun()
        let path = ReportFiles.temporaryPath("csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try sluice(["report", "billing", run, "--format", "csv", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("wrote \(Self.billed.count) billing rows to \(path)"), "\(result.stderr)")
        let records = try await Self.records(path)
        #expect(records == Self.expected(run: run), "\(records)")
        #expect(records.dropFirst().filter { $0[5] == "skipped" }.map { $0[6] } == ["billing.cycle_locked", "billing.invalid_row"])
        let text = try ReportFiles.text(path)
        #expect(text.contains("9,NL91**********4300,99.99,EUR,recovery,declined,AM04,\"Insufficient funds, \"\"retry\"\"\nlater\",sl-\(run)-9,u-9,2\r\n"))
        #expect(text.contains("6,,,,,skipped,billing.invalid_row,=SUM(A1:A9),,,\r\n"))
        #expect(Self.unmaskedIBANs(text).isEmpty, "\(Self.unmaskedIBANs(text))")
        #expect(!text.contains("chargebacked"), "an attempt without a source line is not the run's billing")

        // Without --output, to stdout; the prefix of the id is enough.
        let printed = try sluice(["report", "billing", String(run.prefix(13))])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(String(decoding: printed.stdout, as: UTF8.self) == text)
        try await deleteRuns([run])
    }

    /// An IBAN a gateway message echoes whole is masked in the report all the same.
    @Test func anIBANInAGatewayMessageIsMasked() async throws {
        let iban = TestIBAN.unique()
        let run = try await makeRun(billed: [
            Billed(line: 2, iban: String(iban.prefix(4)) + String(repeating: "*", count: 14) + String(iban.suffix(4)), amount: 199,
                   model: "flywheel", status: "declined", reason: "AC04", detail: "Account \(iban) closed"),
        ])
        let result = try sluice(["report", "billing", run])
        #expect(result.status == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(!text.contains(iban) && Self.unmaskedIBANs(text).isEmpty, "\(text)")
        #expect(text.contains("Account \(iban.prefix(4))"), "\(text)")
        try await deleteRuns([run])
    }

    /// The XLSX report reads back with Sluice's own reader to the CSV report's records (amounts
    /// as numbers), to a file or to stdout, and its `Summary` sheet ends with the billing figures.
    @Test func theXLSXReportReadsBackAsTheCSVReportWithTheBillingFigures() async throws {
        let run = try await makeRun()
        let xlsx = ReportFiles.temporaryPath("xlsx")
        defer { try? FileManager.default.removeItem(atPath: xlsx) }
        let written = try sluice(["report", "billing", run, "--output", xlsx])
        #expect(written.status == 0, "the format follows the .xlsx extension: \(written.stderr)")
        #expect(try ReportFiles.isValidZip(xlsx))
        #expect(try await Self.records(xlsx) == Self.xlsxRecords(Self.expected(run: run)))
        let workbook = try ReportFiles.unzip(xlsx, part: "xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="Billing" sheetId="1""#), "\(workbook)")
        let summary = try await Self.records(xlsx, sheet: "Summary")
        #expect(summary.contains(["run", "id", run]), "\(summary)")
        for entry in [
            ["billing", "terminal", "sim-terminal"], ["billing", "state", "completed"], ["billing", "rows", "7"],
            ["billing", "attempts", "5"], ["billing", "skipped", "2"], ["billing", "approved_amount", "31.98"],
            ["billing_by_outcome", "approved", "2"], ["billing_by_outcome", "declined", "1"], ["billing_by_outcome", "error", "1"],
            ["billing_by_outcome", "pending", "1"], ["billing_by_outcome", "skipped", "2"],
            ["billing_by_reason", "AM04", "1"], ["billing_by_reason", "MD01", "1"], ["billing_by_reason", "billing.cycle_locked", "1"],
            ["billing_by_reason", "billing.invalid_row", "1"],
        ] {
            #expect(summary.contains(entry), "\(entry) in \(summary)")
        }
        #expect(!summary.contains { $0.first == "billing_by_outcome" && $0[1] == "chargebacked" })

        let printed = try sluice(["report", "billing", run, "--format", "xlsx"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let copy = try Self.write(printed.stdout, suffix: "xlsx")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        #expect(try await Self.records(copy) == Self.xlsxRecords(Self.expected(run: run)))
        try await deleteRuns([run])
    }

    @Test func errorsNameTheProblemAndUseTheDocumentedExitCodes() async throws {
        let unknown = try sluice(["report", "billing", UUID().uuidString, "--output", "/tmp/x.csv"])
        #expect(unknown.status == 7, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no run with id"))
        let notAnID = try sluice(["report", "billing", "not-a-run"])
        #expect(notAnID.status == 4, "\(notAnID.stderr)")

        let unbilled = try await makeRun(handedOver: false)
        let path = ReportFiles.temporaryPath("csv")
        let never = try sluice(["report", "billing", unbilled, "--output", path])
        #expect(never.status == 7 && never.stderr.contains("run \(unbilled) was never handed to billing"), "\(never.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path), "no report file for a run without billing")

        let empty = try await makeRun(billed: [])
        let badPath = "/nonexistent-\(UUID())/billing.csv"
        let unwritable = try sluice(["report", "billing", empty, "--output", badPath])
        #expect(unwritable.status == 4 && unwritable.stderr.contains(badPath), "\(unwritable.stderr)")
        let badFormat = try sluice(["report", "billing", empty, "--format", "pdf"])
        #expect(badFormat.status == 64, "\(badFormat.stderr)")
        // A billing without rows yet: a header-only report.
        let headerOnly = try sluice(["report", "billing", empty])
        #expect(headerOnly.status == 0 && String(decoding: headerOnly.stdout, as: UTF8.self) == Self.header.joined(separator: ",") + "\r\n")
        try await deleteRuns([unbilled, empty])
    }

    // MARK: - The API

    @Test func theAPIServesTheReportToViewersAsTheCLIWritesIt() async throws {
        let run = try await makeRun()
        let unbilled = try await makeRun(handedOver: false)
        let server = try await startServer(environment: ["SLUICE_WORKERS": "0", "SLUICE_WATCH_INTERVAL": "0"])
        defer { server.running.kill() }
        let viewer = try await createToken(role: "viewer", name: IntegrationEnvironment.uniqueName("billing-report-viewer"))
        let base = server.base + "/v1/runs/\(run)/billing/report"

        let csv = try await download(base, auth: .bearer(viewer))
        #expect(csv.status == 200)
        #expect(csv.header("content-type") == "text/csv; charset=utf-8")
        #expect(csv.header("content-disposition") == "attachment; filename=\"run-\(run.prefix(8))-billing.csv\"")
        let fromCLI = try sluice(["report", "billing", run])
        #expect(csv.bytes == fromCLI.stdout, "the API's CSV is the CLI's")

        let xlsx = try await download(base + "?format=xlsx", auth: .bearer(viewer))
        #expect(xlsx.status == 200)
        #expect(xlsx.header("content-type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let xlsxPath = try Self.write(xlsx.bytes, suffix: "xlsx")
        defer { try? FileManager.default.removeItem(atPath: xlsxPath) }
        #expect(try await Self.records(xlsxPath) == Self.xlsxRecords(Self.expected(run: run)))
        #expect(try await Self.records(xlsxPath, sheet: "Summary").contains(["billing", "approved_amount", "31.98"]))

        try await expectProblems([
            ("/v1/runs/\(run)/billing/report?format=pdf", 400, "invalid_argument"),
            ("/v1/runs/nope/billing/report", 400, "invalid_argument"),
            ("/v1/runs/\(UUID().uuidString)/billing/report", 404, "run_not_found"),
            ("/v1/runs/\(unbilled)/billing/report", 404, "billing_not_found"),
            ("/v1/runs/\(unbilled)/billing/report?format=xlsx", 404, "billing_not_found"),
        ], base: server.base, auth: .bearer(viewer))
        #expect(try await download(base, auth: .none).status == 401)

        #expect(server.stop().status == 0)
        try await deleteRuns([run, unbilled])
    }
}
