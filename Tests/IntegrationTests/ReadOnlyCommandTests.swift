import Foundation
import Testing

/// Commands that only read (`runs`, `report`, `blacklist list|export`) never change the
/// database: on a database without the schema they say so and create nothing (issue 10).
@Suite(.serialized)
struct ReadOnlyCommandTests {
    @Test func readOnlyCommandsDoNotMigrateAndSayWhatToDo() async throws {
        let environment = try IntegrationEnvironment()
        let name = IntegrationEnvironment.uniqueName("ro")
        try await environment.withConnection { connection in
            try await connection.query(.init(unsafeSQL: "CREATE DATABASE \(name)"), logger: environment.logger)
        }
        let base = ProcessInfo.processInfo.environment["SLUICE_DATABASE_URL"] ?? ""
        let url = String(base[..<base.lastIndex(of: "/")!]) + "/" + name
        let cli = try SluiceCLI(environment: ["SLUICE_DATABASE_URL": url])

        for arguments in [["runs"], ["blacklist", "list"], ["report", "summary", "00000000-0000-0000-0000-000000000000"]] {
            let result = try await cli.run(arguments)
            #expect(result.status == 6, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("no Sluice schema yet; run `sluice migrate`"), "\(arguments): \(result.stderr)")
        }
        let check = try SluiceCLI(environment: ["SLUICE_DATABASE_URL": url])
        #expect(try await check.run(["migrate"]).status == 0)
        let listed = try await check.run(["runs"])
        #expect(listed.status == 0, "\(listed.stderr)")

        try await environment.withConnection { connection in
            try await connection.query(.init(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: environment.logger)
        }
    }
}
