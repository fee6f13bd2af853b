import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePipeline
import SluiceStages
import Testing

/// Dedup, screening and the error budget on the real stack.
@Suite(.serialized)
struct ScreeningTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    // MARK: Dedup

    @Test func inFileDuplicatesAreRejectedNamingTheFirstLine() async throws {
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-10k.manifest.json"))
        let spec = try environment.pipeline(batchSize: 1500)
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        #expect(summary.run.counters.rejectedByReason["dedup.in_file"] == Int64(manifest.counts["dedup.in_file"] ?? -1))
        let injected = (manifest.defects ?? []).filter { $0.code == "dedup.in_file" }
        let messages = try await environment.strings(
            "SELECT line || ' ' || message FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND code = 'dedup.in_file' ORDER BY line")
        #expect(messages == injected.sorted { $0.line < $1.line }.map { "\($0.line) same iban + amount + external_id as line \($0.firstLine ?? -1)" })
    }

    @Test func anIBANOnlyKeyAlsoCatchesTheSameAccountWithAnotherAmount() async throws {
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-10k.manifest.json"))
        let spec = try environment.pipeline(extra: "dedup: {key: iban}")
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        let lines = try await environment.integers(
            "SELECT line FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND code = 'dedup.in_file' ORDER BY line")
        let expected = (manifest.lines(of: "dedup.in_file") + manifest.lines(of: "dedup.same_iban")).sorted()
        #expect(lines == expected)
    }

    // MARK: Screening

    @Test func eachRuleRejectsWithItsCodeInDomainOrder() async throws {
        let ibans = (0..<9).map { _ in TestIBAN.unique() }
        // Letters only: names with digits would fail validation before screening.
        let tag = String(UUID().uuidString.lowercased().unicodeScalars.filter { $0 != "-" }.prefix(8).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(Int(String($0), radix: 16)!))) })
        let blockedEmail = "blocked-\(tag)@example.com"
        let rows = [
            // IBAN blacklisted, and its e-mail too: the IBAN comes first.
            "E1,Max,Muster,\(blockedEmail),\(ibans[0]),,10.00,EUR",
            // Charged back long ago and also attempted recently: chargeback comes first.
            "E2,Max,Muster,,\(ibans[1]),,10.00,EUR",
            // Attempted 5 days ago by another run.
            "E3,Max,Muster,,\(ibans[2]),,10.00,EUR",
            // Attempted 40 days ago: outside the 30-day window.
            "E4,Max,Muster,,\(ibans[3]),,10.00,EUR",
            // Name blacklisted (folded), e-mail blacklisted too: the name comes first.
            "E5,Zoë,Ångström-\(tag),\(blockedEmail.uppercased()),\(ibans[4]),,10.00,EUR",
            "E6,Eva,Klar,\(blockedEmail.uppercased()),\(ibans[5]),,10.00,EUR",
            // BIC blacklisted exactly (8 characters in the file, 11 in the list), and by prefix.
            "E7,Eva,Klar,,\(ibans[6]),QQQQDE\(tag.prefix(2).uppercased()),10.00,EUR",
            "E8,Eva,Klar,,\(ibans[7]),PPPPDEFF\(tag.prefix(3).uppercased()),10.00,EUR",
            "E9,Eva,Klar,,\(ibans[8]),,10.00,EUR",
        ]
        let path = try write(rows)
        let digest = { (iban: String) in IBANDigest(iban: iban).bytes }
        try await environment.migrate()
        try await environment.withConnection { connection in
            let store = BlacklistStore(connection: connection, logger: environment.logger)
            try await store.add(kind: .iban, value: ibans[0], reason: "AC04", source: "it-\(tag)")
            try await store.add(kind: .name, value: "zoe angstrom \(tag)", reason: "fraud", source: "it-\(tag)")
            try await store.add(kind: .email, value: blockedEmail, reason: "complaint", source: "it-\(tag)")
            try await store.add(kind: .bic, value: "QQQQDE\(tag.prefix(2).uppercased())XXX", reason: "RC01", source: "it-\(tag)")
            try await store.add(kind: .bicPrefix, value: "PPPPDE", reason: "bank", source: "it-\(tag)")
            let otherRun = UUID()
            for (iban, daysAgo, chargeback) in [(ibans[1], 400, true), (ibans[1], 2, false), (ibans[2], 5, false), (ibans[3], 40, false)] {
                try await connection.query("""
                    INSERT INTO sluice.billing_attempts (run_id, iban_hash, amount_minor, currency, status, attempted_at, chargeback_at, chargeback_reason)
                    VALUES (\(otherRun), \(ByteBuffer(bytes: digest(iban))), 1000, 'EUR', \(chargeback ? "chargebacked" : "approved"),
                        now() - make_interval(days => \(daysAgo)::int), \(chargeback ? Date() : nil), \(chargeback ? "MD06" : nil))
                    """, logger: environment.logger)
            }
        }

        let spec = try environment.pipeline(screening: true)
        let summary = try await environment.runner().run(spec, input: path)
        let verdicts = try await environment.strings("""
            SELECT line || ':' || code FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' ORDER BY line
            """)
        #expect(verdicts == [
            "2:blacklist.iban", "3:history.chargeback", "4:history.cooldown", "6:blacklist.name",
            "7:blacklist.email", "8:blacklist.bic", "9:blacklist.bic",
        ])
        #expect(summary.run.counters.rowsAccepted == 2)
        #expect(try await environment.strings("SELECT external_id FROM \(spec.target) ORDER BY 1") == ["E4", "E9"])
        try await cleanUp(ibans: ibans, tag: tag)
    }

    @Test func theCooldownCountsOtherRunsOnly() async throws {
        let iban = TestIBAN.unique()
        let thisRun = UUID()
        try await environment.migrate()
        let flags = try await environment.withConnection { connection in
            try await connection.query("""
                INSERT INTO sluice.billing_attempts (run_id, iban_hash, status, attempted_at)
                VALUES (\(thisRun), \(ByteBuffer(bytes: IBANDigest(iban: iban).bytes)), 'pending', now())
                """, logger: environment.logger)
            let history = try await AttemptHistory(connection: connection, runID: thisRun, cooldownDays: 30, logger: environment.logger)
            let same = try await history.flags(for: [IBANDigest(iban: iban)])
            let other = try await AttemptHistory(connection: connection, runID: UUID(), cooldownDays: 30, logger: environment.logger)
                .flags(for: [IBANDigest(iban: iban), IBANDigest(iban: TestIBAN.unique())])
            try await connection.query("DELETE FROM sluice.billing_attempts WHERE run_id = \(thisRun)", logger: environment.logger)
            return (same, other)
        }
        #expect(flags.0.isEmpty, "the run's own attempts are no history")
        #expect(flags.1 == [IBANDigest(iban: iban): HistoryFlags(chargedBack: false, recentlyAttempted: true)])
    }

    // MARK: Error budget

    @Test func aRunOverItsRowBudgetLeavesNoRowsAndKeepsItsRejections() async throws {
        let spec = try environment.pipeline(batchSize: 500, extra: "error_budget: {max_rejected_rows: 100}")
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        #expect(summary.run.status == .failedBudget)
        #expect(summary.run.error?.contains("more than max_rejected_rows (100)") == true)
        #expect(summary.run.counters.rowsRead < 10_000, "the row limit stops the run early")
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target)") == 0)
        #expect(try await environment.scalar("SELECT count(DISTINCT line) FROM sluice.rejections WHERE run_id = '\(summary.run.idText)'") > 100)
        // The next start of the same object is a new run, not a resume of the failed one.
        let next = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        #expect(next.run.idText != summary.run.idText && next.run.status == .failedBudget)
    }

    @Test func theRatioIsJudgedOnTheWholeFile() async throws {
        // debtors-10k rejects 10.3% of its rows.
        let over = try environment.pipeline(batchSize: 2000, extra: "error_budget: {max_rejected_ratio: 0.05}")
        let failed = try await environment.runner().run(over, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        #expect(failed.run.status == .failedBudget)
        #expect(failed.run.counters.rowsRead == 10_000)
        #expect(try await environment.scalar("SELECT count(*) FROM \(over.target)") == 0)

        let within = try environment.pipeline(batchSize: 2000, extra: "error_budget: {max_rejected_ratio: 0.2}")
        let completed = try await environment.runner().run(within, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        #expect(completed.run.status == .completed)
        #expect(try await environment.scalar("SELECT count(*) FROM \(within.target)") == completed.run.counters.rowsAccepted)
    }

    // MARK: Helpers

    private func write(_ rows: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("screening-\(UUID()).csv").path
        let text = (["external_id,first_name,last_name,email,iban,bic,amount,currency"] + rows).joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func cleanUp(ibans: [String], tag: String) async throws {
        try await environment.withConnection { connection in
            try await connection.query("DELETE FROM sluice.blacklist WHERE source = \("it-" + tag)", logger: environment.logger)
            let hashes = ibans.map { ByteBuffer(bytes: IBANDigest(iban: $0).bytes) }
            for hash in hashes {
                try await connection.query("DELETE FROM sluice.billing_attempts WHERE iban_hash = \(hash)", logger: environment.logger)
            }
        }
    }
}
