import Foundation
import Hummingbird
import Logging
import PostgresNIO
import SluiceCore
import Testing
import Yams

@testable import SluiceServer

/// The routes are hand-written (Hummingbird's router), so this test proves they and
/// `docs/openapi.yaml` list the same operations: a route without a description, or a
/// described route that does not exist, fails it.
struct OpenAPIDocumentTests {
    static var documentPath: String {
        #filePath.replacingOccurrences(of: "Tests/SluiceServerTests/OpenAPIDocumentTests.swift", with: "docs/openapi.yaml")
    }

    /// A router built like the server's; the client never connects in this test.
    static func routes() -> ServerRoutes {
        let configuration = PostgresClient.Configuration(host: "127.0.0.1", port: 1, username: "none", password: nil, database: nil, tls: .disable)
        let client = PostgresClient(configuration: configuration)
        let logger = Logger(label: "test")
        return ServerRoutes(database: client, readiness: ReadinessCheck(database: client, s3: nil, bucket: nil, logger: logger), logger: logger)
    }

    @Test func theRoutesAndTheDocumentListTheSameOperations() throws {
        let routed = Set(Self.routes().router().routes.map { route in
            // Hummingbird writes a parameter as `:id`, OpenAPI as `{id}`.
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue) /" + path.joined(separator: "/")
        })
        let document = try #require(try Yams.load(yaml: String(contentsOfFile: Self.documentPath, encoding: .utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(routed == documented, "routed only: \(routed.subtracting(documented)); documented only: \(documented.subtracting(routed))")
        #expect(routed.contains("GET /v1/runs/{id}"))
    }

    @Test func sluiceErrorsBecomeProblemsWithTheirContextAndStatus() {
        var error = SluiceError(.runNotFound, "no run 42")
        error.pipeline = "debtors"
        error.object = "s3://sluice/in.csv"
        error.line = 7
        error.column = "iban"
        let problem = ProblemDetails(error)
        #expect(problem.status == .notFound)
        #expect(problem.code == "run_not_found" && problem.type.hasSuffix("/problems/run_not_found"))
        #expect(problem.detail == "no run 42")
        #expect(problem.pipeline == "debtors" && problem.object == "s3://sluice/in.csv" && problem.line == 7 && problem.column == "iban")
        #expect(ProblemDetails(SluiceError(.invalidArgument, "x")).status == .badRequest)
        #expect(ProblemDetails(SluiceError(.invalidPipeline, "x")).status == .unprocessableContent)
        #expect(ProblemDetails(SluiceError(.database, "x")).status == .serviceUnavailable)
        #expect(ProblemDetails(SluiceError(.runLocked, "x")).status == .conflict)
        #expect(ProblemDetails(SluiceError(.internalError, "x")).status == .internalServerError)
    }
}
