import Foundation
import PostgresNIO

/// A completed run made directly in the database with any number of rejections (every row
/// an `iban.checksum` rejection of a debtors-like record): for measuring reports, which only
/// read `sluice.runs` and `sluice.rejections`. `scripts/bench_report.sh` makes the same.
enum SyntheticRun {
    static func create(rejections: Int, environment: IntegrationEnvironment) async throws -> String {
        let pipeline = IntegrationEnvironment.uniqueName("report_synthetic")
        let uri = "file:///tmp/\(pipeline).csv"
        return try await environment.withConnection { connection in
            var runID: UUID?
            for try await id in try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO sluice.runs (pipeline, object_uri, etag, object_size, target_table, batch_rows, status, rows_read,
                    rows_rejected, batches, rejected_by_reason, timings, finished_at, source_format, source_header, source_delimiter, column_sources)
                VALUES ('\(pipeline)', '\(uri)', 'synthetic', 0, 'sluice.none', 16384, 'completed', \(rejections), \(rejections),
                    \(rejections / 16384 + 1), '{"iban.checksum": \(rejections)}', '{"decode": 1.0}', now(), 'csv',
                    ARRAY['external_id','first_name','last_name','email','iban','bic','amount','currency','mandate_id','mandate_date','address','city','postcode','country'],
                    ',', '{"external_id":0,"first_name":1,"last_name":2,"email":3,"iban":4,"bic":5,"amount":6,"currency":7,"mandate_id":8,"mandate_date":9,"address":10,"city":11,"postcode":12,"country":13}')
                RETURNING id
                """), logger: environment.logger).decode(UUID.self) {
                runID = id
            }
            guard let runID else { throw SetupError("no run created") }
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO sluice.rejections (run_id, batch_seq, object_uri, line, byte_offset, code, message, column_name, raw)
                SELECT '\(runID)', g / 16384, '\(uri)', g + 2, g::bigint * 180, 'iban.checksum', 'IBAN check digits do not match', 'iban',
                    convert_to(format('EXT-%s,Marie,Muster,marie.%s@example.net,DE%s370400440532013000,,%s.50,EUR,MNDT-%s,2024-01-31,"Hauptstr. %s' || chr(10) || '2. Stock",Berlin,10115,DE',
                        lpad(g::text, 8, '0'), g, lpad((g % 100)::text, 2, '0'), g % 500, g, g % 200), 'UTF8')
                FROM generate_series(0, \(rejections - 1)) AS g
                """), logger: environment.logger)
            return runID.uuidString.lowercased()
        }
    }

    static func delete(_ runIDs: [String], environment: IntegrationEnvironment) async throws {
        let list = runIDs.map { "'\($0)'" }.joined(separator: ",")
        try await environment.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM sluice.rejections WHERE run_id IN (\(list))"), logger: environment.logger)
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM sluice.runs WHERE id IN (\(list))"), logger: environment.logger)
        }
    }
}
