import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import SluiceCore
import SluiceJobs

/// `GET /metrics`: the process's metrics (`ServerMetrics.registry`: HTTP, rows, rates) plus
/// gauges read from PostgreSQL at scrape time, one query each:
///
/// - `sluice_runs{status}`: runs by status, every status listed (0 when none);
/// - `sluice_jobs{kind,state}`: jobs by kind and state, every state listed for each kind seen;
/// - `sluice_job_oldest_ready_age_seconds{kind}`: how long the oldest job ready to run has
///   waited (0 when none waits);
/// - `sluice_metrics_database_up`: 1 when those queries answered, 0 when not (the gauges
///   above are then left out rather than stale).
public struct MetricsEndpoint: Sendable {
    let database: PostgresClient
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init(database: PostgresClient, registry: PrometheusCollectorRegistry = ServerMetrics.registry, logger: Logger) {
        self.database = database
        self.registry = registry
        self.logger = logger
    }

    public func response() async -> Response {
        var text = registry.emitToBuffer()
        // The database gauges go into a registry of their own each scrape: nothing stale survives.
        let scrape = PrometheusCollectorRegistry()
        do {
            let (runs, jobs) = try await database.withConnection { connection in
                (try await runCounts(connection), try await jobCounts(connection))
            }
            for status in RunStatus.allCases {
                scrape.makeGauge(name: "sluice_runs", labels: [("status", status.rawValue)], help: "Runs by status")
                    .set(Double(runs[status.rawValue] ?? 0))
            }
            for kind in Set(jobs.keys).union([RunJobHandler.kind]).sorted() {
                let byState = jobs[kind] ?? JobCounts()
                for state in JobState.allCases {
                    scrape.makeGauge(name: "sluice_jobs", labels: [("kind", kind), ("state", state.rawValue)], help: "Jobs by kind and state")
                        .set(Double(byState.states[state.rawValue] ?? 0))
                }
                scrape.makeGauge(
                    name: "sluice_job_oldest_ready_age_seconds", labels: [("kind", kind)],
                    help: "Seconds the oldest job ready to run has waited for a worker"
                ).set(byState.oldestReadySeconds)
            }
            scrape.makeGauge(name: "sluice_metrics_database_up", help: "Whether the database answered this scrape's queries").set(1.0)
        } catch {
            logger.warning("metrics: the database did not answer", metadata: ["error": "\(String(reflecting: error))"])
            scrape.makeGauge(name: "sluice_metrics_database_up", help: "Whether the database answered this scrape's queries").set(0.0)
        }
        scrape.emit(into: &text)
        var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        response.headers[.contentType] = Self.contentType
        return response
    }

    struct JobCounts {
        var states: [String: Int64] = [:]
        var oldestReadySeconds = 0.0
    }

    func runCounts(_ connection: PostgresConnection) async throws -> [String: Int64] {
        let rows = try await connection.query("SELECT status, count(*) FROM sluice.runs GROUP BY status", logger: logger)
        var counts: [String: Int64] = [:]
        for try await (status, count) in rows.decode((String, Int64).self) { counts[status] = count }
        return counts
    }

    /// Per kind and state, and the age of the oldest job ready to run (the claim's own condition).
    func jobCounts(_ connection: PostgresConnection) async throws -> [String: JobCounts] {
        let rows = try await connection.query("""
            SELECT kind, state, count(*),
                coalesce(extract(epoch FROM now() - min(run_after)
                    FILTER (WHERE state IN ('available', 'retryable') AND run_after <= now())), 0)::float8
            FROM sluice.jobs GROUP BY kind, state
            """, logger: logger)
        var counts: [String: JobCounts] = [:]
        for try await (kind, state, count, oldest) in rows.decode((String, String, Int64, Double).self) {
            counts[kind, default: JobCounts()].states[state] = count
            counts[kind, default: JobCounts()].oldestReadySeconds = max(counts[kind]?.oldestReadySeconds ?? 0, oldest)
        }
        return counts
    }
}
