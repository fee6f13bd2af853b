import Foundation
import PostgresNIO
import SluiceCore
import SluicePipeline
import SluicePostgres
import SluiceStages
import SluiceValidation
import Testing

/// Typed pipeline columns end to end (issue 15): the target table gets the declared types,
/// values that do not fit are rejected as `<column>.type`, the others are stored as their
/// type, a table whose column has another type is refused before anything is read, and a
/// resumed run's dedup keys read back from typed columns equal the same keys in a batch.
struct TypedColumnsTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    /// A pipeline with a column of every type. The names are no validation role's, so what is
    /// rejected here is rejected by the types alone.
    static func yaml(name: String, dedup: String = "dedup: {enabled: false}") -> String {
        """
        name: \(name)
        target: {table: sluice_it.\(name), keep_raw: false}
        columns:
          - {name: ref, required: true}
          - {name: price, type: 'numeric(8,2)'}
          - {name: qty, type: integer}
          - {name: due, type: date}
          - {name: seen_at, type: timestamp}
          - {name: active, type: boolean}
          - {name: account, type: iban}
          - {name: swift, type: bic}
          - {name: contact, type: email}
          - {name: note}
        \(dedup)
        """ + IntegrationEnvironment.withoutScreening
    }

    static let csv = """
        ref,price,qty,due,seen_at,active,account,swift,contact,note
        R1,12.5,3,2024-02-29,2024-03-05T12:30:00+01:00,yes,DE89 3704 0044 0532 0130 00,deutdeff,ada@example.org,ok
        R2,1.234,,,,,,,,
        R3,,three,,,,,,,
        R4,,,2023-02-29,,,,,,
        R5,,,,yesterday,,,,,
        R6,,,,,maybe,,,,
        R7,,,,,,DE89370400440532013001,,,
        R8,,,,,,,DEUT,,
        R9,,,,,,,,not-an-email,
        R10,1000000.00,,,,,,,,
        R11,,,,,,,,,
        R12,-0.5,-42,01.01.2000,2024-01-01,N,NL91ABNA0417164300,INGBNL2A,x@y.nl,kept as text

        """

    func execute(_ sql: String) async throws {
        try await environment.withConnection { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: environment.logger)
        }
    }

    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "typed-\(UUID()).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func valuesAreStoredAsTheirTypesAndMisfitsAreRejectedWithTheirReason() async throws {
        let name = IntegrationEnvironment.uniqueName("typed")
        let spec = try PipelineSpec.parse(yaml: Self.yaml(name: name), path: "\(name).yaml")
        let summary = try await environment.runner().run(spec, input: try write(Self.csv))
        #expect(summary.run.counters.rowsAccepted == 3)
        #expect(summary.run.counters.rowsRejected == 9)

        let types = try await environment.strings("""
            SELECT column_name || ' ' || data_type || CASE WHEN data_type = 'numeric' THEN '(' || numeric_precision || ',' || numeric_scale || ')' ELSE '' END
            FROM information_schema.columns WHERE table_schema = 'sluice_it' AND table_name = '\(name)' ORDER BY ordinal_position
            """)
        #expect(types == [
            "run_id uuid", "source_line bigint", "source_offset bigint", "ref text", "price numeric(8,2)", "qty bigint", "due date",
            "seen_at timestamp with time zone", "active boolean", "account text", "swift text", "contact text", "note text", "raw text",
        ])

        let rejections = try await environment.strings("""
            SELECT line || ' ' || code || ' ' || column_name || ': ' || message FROM sluice.rejections
            WHERE run_id = '\(summary.run.idText)' ORDER BY line
            """)
        #expect(rejections == [
            "3 price.type price: price '1.234' does not fit numeric(8,2)",
            "4 qty.type qty: qty 'three' does not fit integer",
            "5 due.type due: due '2023-02-29' does not fit date",
            "6 seen_at.type seen_at: seen_at 'yesterday' does not fit timestamp",
            "7 active.type active: active 'maybe' does not fit boolean",
            "8 account.type account: account 'DE89**************3001' does not fit iban",
            "9 swift.type swift: swift 'DEUT' does not fit bic",
            "10 contact.type contact: contact 'not-an-email' does not fit email",
            "11 price.type price: price '1000000.00' does not fit numeric(8,2)",
        ])
        #expect(summary.run.counters.rejectedByReason["price.type"] == 2)

        let stored = try await environment.strings("""
            SELECT concat_ws('|', ref, price, qty, due, (seen_at AT TIME ZONE 'UTC'), active, account, swift, contact, note,
                             (price * 2), (due + 1), (qty + 1), (NOT active))
            FROM sluice_it.\(name) ORDER BY source_line
            """)
        #expect(stored == [
            "R1|12.50|3|2024-02-29|2024-03-05 11:30:00|t|DE89370400440532013000|DEUTDEFF|ada@example.org|ok|25.00|2024-03-01|4|f",
            "R11",
            "R12|-0.50|-42|2000-01-01|2024-01-01 00:00:00|f|NL91ABNA0417164300|INGBNL2A|x@y.nl|kept as text|-1.00|2000-01-02|-41|t",
        ], "values are numbers, dates, instants and booleans PostgreSQL computes with; empty ones are NULL")
    }

    @Test func aTableWhoseColumnHasAnotherTypeIsRefusedBeforeAnythingIsRead() async throws {
        let name = IntegrationEnvironment.uniqueName("typed_conflict")
        try await environment.migrate()
        try await execute("""
            CREATE TABLE sluice_it.\(name) (run_id uuid NOT NULL, source_line bigint NOT NULL, source_offset bigint NOT NULL,
                ref text, price text, raw text)
            """)
        let spec = try PipelineSpec.parse(yaml: Self.yaml(name: name), path: "\(name).yaml")
        let error = try await #require(throws: SluiceError.self) {
            try await environment.runner().run(spec, input: try write(Self.csv))
        }
        #expect(error.code == .invalidPipeline)
        #expect(error.column == "price")
        #expect(error.reason.contains("target table sluice_it.\(name): column price is text in the table but the pipeline declares numeric(8,2)"))
        #expect(error.reason.hasSuffix(
            "ALTER TABLE \"sluice_it\".\"\(name)\" ALTER COLUMN \"price\" TYPE numeric(8,2) USING nullif(btrim(\"price\"), '')::numeric(8,2)"))
        #expect(try await environment.scalar("SELECT coalesce(sum(rows_read + batches), 0)::bigint FROM sluice.runs WHERE pipeline = '\(name)'") == 0,
                "nothing was read")
        #expect(try await environment.scalar(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'sluice_it' AND table_name = '\(name)' AND column_name = 'qty'") == 0,
            "nothing was added to the table either")

        // The ALTER the message gives makes the table fit; the missing columns are then added with their types.
        try await execute("""
            ALTER TABLE "sluice_it"."\(name)" ALTER COLUMN "price" TYPE numeric(8,2) USING nullif(btrim("price"), '')::numeric(8,2)
            """)
        let summary = try await environment.runner().run(spec, input: try write(Self.csv))
        #expect(summary.run.counters.rowsAccepted == 3)
        #expect(try await environment.strings(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'sluice_it' AND table_name = '\(name)' AND column_name = 'qty'")
            == ["bigint"])
    }

    @Test func dedupKeysReloadedFromTypedColumnsEqualTheKeysInABatch() async throws {
        let name = IntegrationEnvironment.uniqueName("typed_dedup")
        let spec = try PipelineSpec.parse(
            yaml: Self.yaml(name: name, dedup: "dedup: {key: [price, qty, due, seen_at, active, account]}"), path: "\(name).yaml")
        let input = try write(Self.csv)
        let summary = try await environment.runner().run(spec, input: input)
        #expect(summary.run.counters.rowsAccepted == 3)

        // What a resumed run does: reload the keys below its resume point, then meet the same
        // rows again, cast as the run casts them.
        let dedup = try DedupStage(keyColumns: spec.dedupKey, columns: spec.columns.map(\.name))
        let reloaded = try await environment.withConnection { connection in
            try await PostgresStageRepositories(connection: connection, screening: nil, logger: environment.logger)
                .reloadDedupKeys(into: dedup, table: spec.target, runID: summary.run.id, before: .max)
        }
        #expect(reloaded == 3)
        var batch = try Self.mappedBatch(Self.csv, columns: spec.columns)
        try TypeCastStage(columns: spec.columns, rules: spec.validation).cast(&batch)
        let accepted = (0..<batch.rowCount).filter { batch.status[$0] == .accepted }
        #expect(accepted.count == 3)
        dedup.deduplicate(&batch)
        #expect(batch.rejections.filter { $0.code == .dedupInFile }.count == 3, "every loaded row's key is found again")
    }

    /// `text` (no quoted fields) as one mapped batch.
    static func mappedBatch(_ text: String, columns: [ColumnSpec]) throws -> RecordBatch {
        let lines = text.split(separator: "\n").map(String.init)
        var batch = RecordBatch(sequence: 0, object: SourceObject(uri: "memory:typed", etag: "1", size: 0), startOffset: 0)
        for (index, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let rawStart = Int32(batch.arena.count)
            for field in fields {
                batch.fieldStarts.append(Int32(batch.arena.count))
                batch.arena.append(contentsOf: field.utf8)
                batch.fieldEnds.append(Int32(batch.arena.count))
            }
            batch.rowFieldBase.append(Int32(batch.fieldStarts.count))
            batch.rawStarts.append(rawStart)
            batch.rawEnds.append(Int32(batch.arena.count))
            batch.lines.append(Int64(index + 2))
            batch.offsets.append(Int64(rawStart))
        }
        batch.status = [RowStatus](repeating: .accepted, count: batch.rawStarts.count)
        let header = lines[0].split(separator: ",").map(String.init)
        ColumnMapper(mapping: try ColumnMapping(header: header, columns: columns)).map(&batch)
        return batch
    }
}
