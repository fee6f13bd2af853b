import Foundation
import PostgresNIO
import SluiceCore
import SluicePostgres
import SluiceValidation
import Testing

/// Typed columns through the real PostgreSQL: values cast by `TypeCastStage`, written by
/// `CopyEncoder` in binary and committed by `BatchSink`, read back as PostgreSQL's text.
struct TypedCopyTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    static let columns = [
        ColumnSpec(name: "money", type: .numeric(precision: 12, scale: 2)), ColumnSpec(name: "exact", type: .numeric(precision: nil, scale: 0)),
        ColumnSpec(name: "count", type: .integer), ColumnSpec(name: "day", type: .date), ColumnSpec(name: "at", type: .timestamp),
        ColumnSpec(name: "paid", type: .boolean), ColumnSpec(name: "iban", type: .iban),
    ]

    /// Input values (as a file might hold them) and what `<column>::text` gives back; `nil` is NULL.
    static let cases: [(input: [String], stored: [String?])] = [
        (["0", "0", "0", "2000-01-01", "2000-01-01", "true", ""],
         ["0.00", "0", "0", "2000-01-01", "2000-01-01 00:00:00", "true", nil]),
        (["-0.01", "-123.4560", "-9223372036854775808", "1999-12-31", "1999-12-31T23:59:59.999999Z", "f", "de89 3704 0044 0532 0130 00"],
         ["-0.01", "-123.4560", "-9223372036854775808", "1999-12-31", "1999-12-31 23:59:59.999999", "false", "DE89370400440532013000"]),
        (["0.01", "0.00001", "9223372036854775807", "29.02.2024", "2024-03-05 12:30:00.5+01:00", "YES", ""],
         ["0.01", "0.00001", "9223372036854775807", "2024-02-29", "2024-03-05 11:30:00.5", "true", nil]),
        (["9999999999.99", "12345678901234567890.123456789", "42", "2100-02-28", "0001-01-01T00:00Z", "0", ""],
         ["9999999999.99", "12345678901234567890.123456789", "42", "2100-02-28", "0001-01-01 00:00:00", "false", nil]),
        (["-9999999999.99", "10000", "-1", "0001-01-01", "9999-12-31T23:59:59.999999", "n", ""],
         ["-9999999999.99", "10000", "-1", "0001-01-01", "9999-12-31 23:59:59.999999", "false", nil]),
        (["1234.5", "-0.0", "007", "2000-02-29", "2024-02-29T23:30:00-01:00", "", ""],
         ["1234.50", "0.0", "7", "2000-02-29", "2024-03-01 00:30:00", nil, nil]),
        (["", "", "", "", "", "", ""], [nil, nil, nil, nil, nil, nil, nil]),
    ]

    /// One mapped batch of `cases`, lines 2….
    static func batch() -> RecordBatch {
        var batch = RecordBatch(sequence: 0, object: SourceObject(uri: "memory:typed-\(UUID())", etag: "1", size: 0), startOffset: 0)
        batch.columnCount = columns.count
        for (row, example) in cases.enumerated() {
            let raw = example.input.joined(separator: ",")
            let rawStart = Int32(batch.arena.count)
            batch.arena.append(contentsOf: raw.utf8)
            batch.rawStarts.append(rawStart)
            batch.rawEnds.append(Int32(batch.arena.count))
            for value in example.input {
                batch.valueStarts.append(Int32(batch.arena.count))
                batch.arena.append(contentsOf: value.utf8)
                batch.valueEnds.append(Int32(batch.arena.count))
            }
            batch.lines.append(Int64(row + 2))
            batch.offsets.append(Int64(row * 100))
            batch.status.append(.accepted)
            batch.rowFieldBase.append(0)
        }
        batch.nextOffset = Int64(cases.count * 100)
        batch.nextLine = Int64(cases.count + 2)
        return batch
    }

    @Test func typedValuesRoundTripThroughBinaryCopy() async throws {
        try await environment.migrate()
        let table = try TableName("sluice_it." + IntegrationEnvironment.uniqueName("typed_copy"))
        var batch = Self.batch()
        try TypeCastStage(columns: Self.columns).cast(&batch)
        #expect(batch.rejections.isEmpty)

        try await environment.withConnection { connection in
            try await Migrator().ensureTargetTable(table, columns: Self.columns, on: connection, logger: environment.logger)
            let store = RunStore(connection: connection, logger: environment.logger)
            let run = try await store.createRun(pipeline: "typed-copy", object: batch.object, targetTable: table.description, batchRows: 100, node: "test/1")
            let lease = try #require(try await store.acquireLease(run, owner: "test/1", ttl: .seconds(30)))
            let sink = BatchSink(connection: connection, table: table, encoder: CopyEncoder(runID: run.id, columns: Self.columns, keepRaw: false),
                                 lease: lease, logger: environment.logger)
            try await sink.commit(sink.prepare(batch))
        }

        let select = """
            SELECT money::text, exact::text, count::text, day::text, (at AT TIME ZONE 'UTC')::text, paid::text, iban
            FROM \(table.quoted) ORDER BY source_line
            """
        let stored = try await environment.withConnection { connection in
            var rows: [[String?]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: select), logger: environment.logger) {
                rows.append(try row.makeRandomAccess().map { try $0.decode(String?.self) })
            }
            return rows
        }
        #expect(stored.count == Self.cases.count)
        for (row, example) in zip(stored, Self.cases) {
            #expect(row == example.stored, "input \(example.input)")
        }
    }

    @Test func theTableHasTheDeclaredTypes() async throws {
        let table = try TableName("sluice_it." + IntegrationEnvironment.uniqueName("typed_shape"))
        try await environment.withConnection { connection in
            try await Migrator().ensureTargetTable(table, columns: Self.columns, on: connection, logger: environment.logger)
        }
        let types = try await environment.strings("""
            SELECT column_name || ' ' || format_type(atttypid, atttypmod) FROM information_schema.columns c
            JOIN pg_attribute a ON a.attrelid = '\(table.quoted)'::regclass AND a.attname = c.column_name
            WHERE table_schema = '\(table.schema)' AND table_name = '\(table.name)' ORDER BY ordinal_position
            """)
        #expect(types == [
            "run_id uuid", "source_line bigint", "source_offset bigint", "money numeric(12,2)", "exact numeric", "count bigint", "day date",
            "at timestamp with time zone", "paid boolean", "iban text", "raw text",
        ])
    }
}
