import Foundation
import SluiceCore
import SluicePipeline
import SluiceS3
import Testing

/// End-to-end runs on the real stack: S3 (SeaweedFS) in, PostgreSQL out.
@Suite(.serialized)
struct PipelineRunTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    @Test func anUploadedObjectIsLoadedWithItsRejections() async throws {
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-10k.manifest.json"))
        let input = try await environment.upload(IntegrationEnvironment.path("Samples/debtors-10k.csv"), key: "it/\(UUID())/debtors-10k.csv")
        let spec = try environment.pipeline(batchSize: 1500)
        let summary = try await environment.runner().run(spec, input: input)

        // Parsing, mapping and validation reject exactly the rows the generator broke, for the
        // reason it broke them, on the line where it put them.
        #expect(summary.run.status == .completed)
        #expect(summary.run.counters.rowsRead == Int64(manifest.rows))
        #expect(summary.run.counters.rowsRejected == manifest.expectedRejectedRows)
        #expect(summary.run.counters.rejectedByReason == manifest.expectedRejections)
        #expect(summary.run.counters.batches == 7)

        let table = spec.target.description
        #expect(try await environment.scalar("SELECT count(*) FROM \(table)") == summary.run.counters.rowsAccepted)
        #expect(try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(table)") == summary.run.counters.rowsAccepted)
        for code in manifest.expectedRejections.keys.sorted() {
            let rejectedLines = try await environment.integers(
                "SELECT line FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND code = '\(code)' ORDER BY line")
            #expect(rejectedLines == manifest.lines(of: code), "\(code)")
        }
        // Values travel byte for byte: a quoted value with an embedded newline round-trips.
        #expect(try await environment.scalar("SELECT count(*) FROM \(table) WHERE concat_ws('|', address, city, first_name, last_name) LIKE E'%\\n%'") > 0)
        #expect(try await environment.scalar("SELECT count(*) FROM \(table) WHERE raw IS NOT NULL") == 0, "the shipped pipeline keeps no raw copy")
    }

    @Test func aCompletedObjectIsNotLoadedAgainUnlessForced() async throws {
        let spec = try environment.pipeline()
        let input = IntegrationEnvironment.path("Samples/debtors-1k-semicolon.csv")
        let first = try await environment.runner().run(spec, input: input)
        await #expect {
            _ = try await environment.runner().run(spec, input: input)
        } throws: { error in
            (error as? SluiceError)?.code == .alreadyLoaded && "\(error)".contains(first.run.idText)
        }
        let forced = try await environment.runner().run(spec, input: input, options: RunOptions(force: true))
        #expect(forced.run.idText != first.run.idText)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target)") == 2 * first.run.counters.rowsAccepted)
    }

    @Test(arguments: [
        ("Samples/edge/ragged.csv", [3, 5] as [Int64], "csv.ragged"),
        ("Samples/edge/unterminated-quote.csv", [4] as [Int64], "csv.unterminated_quote"),
        ("Samples/edge/invalid-utf8.csv", [3] as [Int64], "encoding.invalid_utf8"),
    ])
    func badRecordsAreRejectedWithTheirLines(file: String, lines: [Int64], code: String) async throws {
        let spec = try environment.pipeline()
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path(file))
        #expect(summary.run.status == .completed)
        #expect(summary.run.counters.rejectedByReason == [code: Int64(lines.count)])
        let rejected = try await environment.integers(
            "SELECT line FROM sluice.rejections WHERE run_id = '\(summary.run.idText)' AND code = '\(code)' ORDER BY line")
        #expect(rejected == lines)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target)") == summary.run.counters.rowsAccepted)
    }

    @Test(arguments: [
        "Samples/edge/bom-crlf.csv", "Samples/edge/tab.tsv", "Samples/edge/pipe.csv",
        "Samples/edge/blank-lines.csv", "Samples/edge/aliases.csv",
    ])
    func wellFormedEdgeFilesLoadEveryRow(file: String) async throws {
        let spec = try environment.pipeline()
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path(file))
        #expect(summary.run.counters.rowsRejected == 0)
        #expect(summary.run.counters.rowsRead >= 3)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE iban IS NULL OR country LIKE E'%\\r'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE first_name IS NULL OR last_name IS NULL") == 0)
    }

    @Test func quotedFieldsParseAndTheNameOutsideTheSEPASetIsNormalisedAndFlagged() async throws {
        let spec = try environment.pipeline()
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/edge/quoted-multiline.csv"))
        // Line 5's last name, `Dupont, dite "la Belge"`, holds a comma and double quotes, which
        // the SEPA character set does not have: by default they are dropped and the row flagged,
        // its original kept in the flag's raw record. Every field still parses as the file means it.
        #expect(summary.run.counters.rowsRejected == 0)
        #expect(summary.run.counters.flaggedByReason == ["last_name.normalised": 1])
        let run = summary.run.idText
        #expect(try await environment.integers("SELECT line FROM sluice.rejections WHERE run_id = '\(run)' AND outcome = 'flagged'") == [5])
        #expect(try await environment.scalar(
            "SELECT count(*) FROM sluice.rejections WHERE run_id = '\(run)' AND raw LIKE '%dite \"\"la Belge\"\"%'") == 1)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE source_line = 5 AND last_name = 'Dupont dite la Belge'") == 1)
        #expect(try await environment.scalar(
            "SELECT count(*) FROM \(spec.target) WHERE address = E'Rue de la Loi 16\\r\\nBo\u{00EE}te 3' OR address LIKE E'%\\n2e verdieping'") == 2)
    }

    @Test func characterPolicyRejectRefusesTheName() async throws {
        let spec = try environment.pipeline(extra: "validation:\n  characters: reject")
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/edge/quoted-multiline.csv"))
        #expect(summary.run.counters.rejectedByReason == ["name.invalid_characters": 1])
        #expect(summary.run.counters.flaggedByReason.isEmpty)
        #expect(try await environment.integers("SELECT line FROM sluice.rejections WHERE run_id = '\(summary.run.idText)'") == [5])
    }

    @Test func windows1252FilesLoadAsUTF8() async throws {
        let spec = try environment.pipeline(encoding: "windows-1252")
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-1k-cp1252.csv"))
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-1k-cp1252.manifest.json"))
        #expect(summary.run.counters.rejectedByReason == manifest.expectedRejections)
        // Accented names arrive as UTF-8 text, e.g. é is U+00E9.
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE last_name ~ '[À-ÿ]' OR first_name ~ '[À-ÿ]'") > 0)
    }

    @Test func semicolonFilesAreValidatedLikeCommaFiles() async throws {
        let spec = try environment.pipeline()
        let summary = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-1k-semicolon.csv"))
        let manifest = try Manifest.load(IntegrationEnvironment.path("Samples/debtors-1k-semicolon.manifest.json"))
        #expect(summary.run.counters.rejectedByReason == manifest.expectedRejections)
        #expect(summary.run.counters.rowsAccepted == Int64(manifest.rows) - manifest.expectedRejectedRows)
    }

    @Test func validatedValuesAreStoredNormalised() async throws {
        let spec = try environment.pipeline()
        _ = try await environment.runner().run(spec, input: IntegrationEnvironment.path("Samples/debtors-10k.csv"))
        // IBANs compact and upper-case, amounts with a decimal point, dates in ISO form,
        // and the country filled from the IBAN where the file left it empty.
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE iban ~ '[^A-Z0-9]'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE amount::text !~ '^[0-9]+\\.[0-9]{2}$'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE mandate_date::text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE country IS NULL") == 0)
        #expect(try await environment.scalar("SELECT count(*) FROM \(spec.target) WHERE country <> left(iban, 2)") == 0)
    }

    @Test func aDroppedS3ConnectionMidObjectGivesTheSameResult() async throws {
        let input = try await environment.upload(IntegrationEnvironment.path("Samples/debtors-10k.csv"), key: "it/\(UUID())/cut.csv")
        let direct = try await environment.runner().run(try environment.pipeline(batchSize: 1000), input: input)

        let proxy = try S3ClientTests.proxy(for: environment.s3, cutAfterBytes: 300_000, cuts: 3)
        let port = try await proxy.start()
        var proxied = environment.s3
        proxied.endpoint = "http://127.0.0.1:\(port)"
        proxied.retryBackoff = .milliseconds(20)
        let spec = try environment.pipeline(batchSize: 1000)
        let cut = try await environment.runner(s3: proxied).run(spec, input: input)
        try await proxy.stop()

        #expect(proxy.cutCount == 3)
        #expect(cut.run.counters == direct.run.counters)
        let cutRows = try await environment.scalar("SELECT count(DISTINCT source_line) FROM \(spec.target)")
        #expect(cutRows == direct.run.counters.rowsAccepted)
        let same = try await environment.scalar("""
            SELECT count(*) FROM (
              SELECT source_line, source_offset, external_id, first_name, last_name, email, iban, amount, mandate_date FROM \(spec.target)
              EXCEPT SELECT source_line, source_offset, external_id, first_name, last_name, email, iban, amount, mandate_date
                FROM \(direct.run.targetTable) WHERE run_id = '\(direct.run.idText)') AS missing
            """)
        #expect(same == 0)
    }
}
