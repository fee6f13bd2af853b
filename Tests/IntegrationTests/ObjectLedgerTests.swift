import Foundation
import PostgresNIO
import SluiceCore
import SluicePostgres
import Testing

/// One run per object version, whichever way it arrives and however many nodes see it.
struct ObjectLedgerTests {
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
    }

    @Test func aVersionIsNewOnceWhetherItCameByEventPollOrAPI() async throws {
        try await environment.migrate()
        let key = "it/\(UUID().uuidString)/incoming/März 2026.csv"
        let answers = try await environment.withConnection { connection in
            let ledger = ObjectLedger(connection: connection, logger: environment.logger)
            var answers: [Bool] = []
            for arrival in ObjectLedger.Arrival.allCases {
                answers.append(try await ledger.record(bucket: "sluice", key: key, etag: "v1", size: 10, pipeline: "debtors", arrival: arrival))
            }
            // The object was overwritten: a new ETag is a new version.
            answers.append(try await ledger.record(bucket: "sluice", key: key, etag: "v2", size: 12, pipeline: "debtors", arrival: .poll))
            answers.append(try await ledger.record(bucket: "sluice", key: key, etag: "v2", size: 12, pipeline: "debtors", arrival: .event))
            return answers
        }
        #expect(answers == [true, false, false, true, false])
        let versions = try await environment.withConnection {
            try await ObjectLedger(connection: $0, logger: environment.logger).versions(bucket: "sluice", key: key)
        }
        #expect(versions.map(\.etag) == ["v1", "v2"])
        #expect(versions.map(\.arrival) == [.event, .poll], "the way it first arrived is kept")
    }

    @Test func nodesRecordingTheSameVersionAtOnceGetOneWinner() async throws {
        try await environment.migrate()
        let key = "it/\(UUID().uuidString)/race.csv"
        let environment = self.environment
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for node in 0..<8 {
                group.addTask {
                    try await environment.withConnection { connection in
                        try await ObjectLedger(connection: connection, logger: environment.logger)
                            .record(bucket: "sluice", key: key, etag: "same", size: 1, pipeline: "debtors", arrival: node % 2 == 0 ? .event : .poll)
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.objects WHERE key = '\(key)'") == 1)
    }
}
