import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluiceGenesis
import SluiceJobs
import SluicePostgres

/// Runs `notifications` jobs: applies stored notifications to the billing attempts, in one
/// transaction per job. The notifications are locked and only those not processed yet are
/// read, so a job that runs twice (its node died after the commit) changes nothing the
/// second time; a replay reads them whatever their state. A job also takes along up to
/// `takeAlong` unprocessed notifications of other jobs that no one holds, so a backlog is
/// worked off in large transactions.
public struct NotificationJobHandler: JobHandler {
    public static let kind = NotificationJournal.jobKind
    public var kind: String { Self.kind }

    let source: any ConnectionSource
    let ledger: ObservationLedger
    let metrics: ReconciliationMetrics
    /// Unprocessed notifications of other jobs one job takes along at most.
    let takeAlong: Int
    let logger: Logger

    public init(
        source: any ConnectionSource, policy: ChargebackPolicy, metrics: ReconciliationMetrics = ReconciliationMetrics(), takeAlong: Int = 1000,
        logger: Logger
    ) {
        self.source = source
        self.takeAlong = max(takeAlong, 0)
        self.ledger = ObservationLedger(policy: policy, logger: logger)
        self.metrics = metrics
        self.logger = logger
    }

    public func run(_ job: ClaimedJob) async throws {
        let payload = try job.decodePayload(as: NotificationJobPayload.self)
        let plan = try await process(payload.ids, replay: payload.replay ?? false)
        if let plan {
            metrics.processed(plan, source: .notification)
            logger.debug("notifications processed", metadata: ["job": "\(job.id)", "count": "\(plan.results.count)"])
        }
    }

    /// Processes the notifications `ids`; returns what became of them, or `nil` when none was left to process.
    public func process(_ ids: [Int64], replay: Bool) async throws -> ObservationPlan? {
        try await source.withConnection("process notifications", stage: "notifications", logger: logger) { connection in
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("""
                    SELECT id, body FROM sluice.notifications
                    WHERE id = ANY(\(ids)::int8[]) AND signature_ok AND (processed_at IS NULL OR \(replay))
                    ORDER BY id FOR UPDATE
                    """, logger: logger)
                var stored: [(id: Int64, notification: GenesisNotification?)] = []
                for try await (id, body) in rows.decode((Int64, String).self) {
                    stored.append((id, try? GenesisNotification(form: FormFields(Array(body.utf8)))))
                }
                // Behind a backlog, take along other unprocessed notifications nobody holds: one
                // transaction then applies hundreds, and their own jobs find nothing left to do.
                // SKIP LOCKED never waits, so two jobs cannot wait on each other.
                if !replay && takeAlong > 0 {
                    let more = try await connection.query("""
                        SELECT id, body FROM sluice.notifications
                        WHERE processed_at IS NULL AND signature_ok AND NOT (id = ANY(\(ids)::int8[]))
                        ORDER BY id LIMIT \(takeAlong) FOR UPDATE SKIP LOCKED
                        """, logger: logger)
                    for try await (id, body) in more.decode((Int64, String).self) {
                        stored.append((id, try? GenesisNotification(form: FormFields(Array(body.utf8)))))
                    }
                    // Applied in the order they came, whichever job they were written with.
                    stored.sort { $0.id < $1.id }
                }
                guard !stored.isEmpty else { return nil }
                let readable = stored.compactMap { item in item.notification.map { GatewayObservation(notification: $0, id: item.id) } }
                let plan = try await ledger.apply(readable, on: connection)
                var results = plan.results.makeIterator()
                var outcomeIDs: [Int64] = [], outcomes: [String] = [], details: [String] = [], attempts: [Int64] = []
                for item in stored {
                    outcomeIDs.append(item.id)
                    if item.notification != nil, let result = results.next() {
                        outcomes.append(result.outcome.rawValue)
                        details.append(result.detail)
                        attempts.append(result.attemptID ?? -1)
                    } else {
                        outcomes.append(ObservationOutcome.recorded.rawValue)
                        details.append("the stored body is not a notification")
                        attempts.append(-1)
                    }
                }
                try await connection.query("""
                    UPDATE sluice.notifications n SET processed_at = now(), outcome = u.outcome, outcome_detail = u.detail,
                        attempt_id = coalesce(nullif(u.attempt, -1), n.attempt_id), replays = n.replays + CASE WHEN \(replay) THEN 1 ELSE 0 END
                    FROM unnest(\(outcomeIDs)::int8[], \(outcomes)::text[], \(details)::text[], \(attempts)::int8[]) AS u(id, outcome, detail, attempt)
                    WHERE n.id = u.id
                    """, logger: logger)
                return plan
            }
        }
    }
}
