import AsyncHTTPClient
import Foundation
import NIOCore
import PostgresNIO
import SluiceCore
import SluiceFormats
import SluiceTestSupport
import Testing

/// What the tests of a run's VOP and billing reports share: a synthetic run with the report's
/// rows put in with SQL, `sluice` run to the end, report files read back, the API's answers.
/// A suite conforms with its `environment`, `cli` and the tables its rows go to.
protocol ReportTesting: ServeTesting {
    /// The tables the suite puts a run's rows into (each has a `run_id`), emptied in this order.
    static var reportTables: [String] { get }
}

/// One answer of the report API, its body as bytes.
struct ReportDownload {
    var status: Int
    var headers: [(String, String)]
    var bytes: [UInt8]
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
}

extension ReportTesting {
    /// A completed run in the database (see `SyntheticRun`), with `insert` then putting the
    /// report's rows in; returns the run's id.
    func makeSyntheticRun(_ insert: (_ connection: PostgresConnection, _ id: UUID) async throws -> Void) async throws -> String {
        try await environment.migrate()
        let runID = try await SyntheticRun.create(rejections: 1, environment: environment)
        try await environment.withConnection { try await insert($0, UUID(uuidString: runID)!) }
        return runID
    }

    /// Deletes the runs and their rows in `reportTables`.
    func deleteRuns(_ ids: [String]) async throws {
        let list = ids.map { "'\($0)'" }.joined(separator: ",")
        for table in Self.reportTables {
            _ = try await environment.scalar("WITH d AS (DELETE FROM \(table) WHERE run_id IN (\(list)) RETURNING 1) SELECT count(*) FROM d")
        }
        try await SyntheticRun.delete(ids, environment: environment)
    }

    /// Every record of a report file, header first, read with the project's own decoders.
    static func records(_ path: String, sheet: String? = nil) async throws -> [[String]] {
        let source = LocalFileSource(path: path)
        var decoder = try await RecordDecoders.open(source: source, object: try await source.describe(), options: DecoderOptions(sheet: sheet))
        var records = [try await decoder.readSourceHeader().fields]
        while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount { records.append((0..<batch.fieldCount(ofRow: row)).map { batch.text(row: row, field: $0) }) }
        }
        return records
    }

    /// `bytes` in a new temporary file ending in `suffix`; returns its path.
    static func write(_ bytes: [UInt8], suffix: String) throws -> String {
        let path = ReportFiles.temporaryPath(suffix)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `sluice` to the end and returns its status, stderr and stdout's bytes.
    func sluice(_ arguments: [String]) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let running = try cli.start(arguments)
        let result = running.wait()
        defer {
            try? FileManager.default.removeItem(atPath: running.stdoutPath)
            try? FileManager.default.removeItem(atPath: running.stderrPath)
        }
        return (result.status, try [UInt8](Data(contentsOf: URL(fileURLWithPath: running.stdoutPath))), result.stderr)
    }

    func download(_ url: String, auth: Credentials = .server) async throws -> ReportDownload {
        var request = HTTPClientRequest(url: url)
        auth.apply(to: &request)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return ReportDownload(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, bytes: Array(buffer: body))
    }

    /// Expects each `path` under `base` to answer `status` with a problem (`application/problem+json`) of `code`.
    func expectProblems(
        _ cases: [(path: String, status: Int, code: String)], base: String, auth: Credentials,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for (path, status, code) in cases {
            let answer = try await download(base + path, auth: auth)
            #expect(
                answer.status == status && answer.json["code"] as? String == code, "\(path): \(answer.status) \(answer.json)",
                sourceLocation: sourceLocation)
            #expect(answer.header("content-type") == "application/problem+json", "\(path)", sourceLocation: sourceLocation)
        }
    }
}
