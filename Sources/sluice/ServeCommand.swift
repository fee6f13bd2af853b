import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SluiceBilling
import SluiceCore
import SluiceJobs
import SluicePipeline
import SluicePostgres
import SluiceReconciliation
import SluiceS3
import SluiceServer

/// `sluice serve`: the HTTP service (issue 11): the control API, the job workers that run
/// queued runs (this node's or any other's), the bucket watcher, health and metrics. Several
/// nodes share the work through PostgreSQL (docs/operations.md, "Running several nodes").
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service: the control API, job workers and the bucket watcher (docs/api.md).",
        discussion: """
            Listens on --host and --port (SLUICE_HTTP_HOST, SLUICE_HTTP_PORT; default \
            127.0.0.1:8080; port 0 picks a free one). Applies migrations at start. SIGTERM or \
            SIGINT stops accepting, finishes requests in flight and exits 0.
            """
    )

    @Option(help: "Address to listen on. Default: SLUICE_HTTP_HOST or 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one. Default: SLUICE_HTTP_PORT or 8080.")
    var port: Int?

    @Option(help: "Folder of pipeline files runs may use. Default: SLUICE_PIPELINES or pipelines.")
    var pipelines: String?

    @Option(help: "Runs this node works on at once (0: serve the API only). Default: SLUICE_WORKERS or 2.")
    var workers: Int?

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    func run() async throws {
        let logger = Environment.logger(verbose: verbose, server: true)
        try await reportingErrors { try await serve(logger: logger) }
    }

    /// A number of seconds (0 or more) from the environment.
    static func seconds(_ environment: [String: String], _ name: String, default value: Double) throws -> Duration {
        let text = environment[name] ?? String(value)
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
            throw SluiceError(.invalidArgument, "\(name) must be a number of seconds, found '\(text)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// A true/false setting from the environment (`true`, `1`, `yes`; `false`, `0`, `no`).
    static func flag(_ environment: [String: String], _ name: String, default value: Bool) throws -> Bool {
        let text = (environment[name] ?? String(value)).lowercased()
        guard let flag = ["true": true, "1": true, "yes": true, "false": false, "0": false, "no": false][text] else {
            throw SluiceError(.invalidArgument, "\(name) must be true or false, found '\(text)'")
        }
        return flag
    }

    /// Where `POST /v1/uploads` puts files: SLUICE_UPLOAD_BUCKET (default SLUICE_S3_BUCKET or
    /// sluice), SLUICE_UPLOAD_PREFIX (default uploads/), SLUICE_UPLOAD_MAX_BYTES (default 5 GiB),
    /// SLUICE_UPLOAD_PART_BYTES (default 8 MiB, at least 5 MiB: S3's smallest part).
    static func uploadSettings(s3: S3Client?, environment: [String: String]) throws -> UploadSettings? {
        guard let s3 else { return nil }
        let bucket = environment["SLUICE_UPLOAD_BUCKET"] ?? environment["SLUICE_S3_BUCKET"] ?? "sluice"
        let maxText = environment["SLUICE_UPLOAD_MAX_BYTES"] ?? String(Int64(5) << 30)
        guard let maxBytes = Int64(maxText), maxBytes > 0 else {
            throw SluiceError(.invalidArgument, "SLUICE_UPLOAD_MAX_BYTES must be a positive number of bytes, found '\(maxText)'")
        }
        let partText = environment["SLUICE_UPLOAD_PART_BYTES"] ?? String(8 << 20)
        guard let partSize = Int(partText), partSize >= S3StreamingUpload.minimumPartSize else {
            throw SluiceError(.invalidArgument, "SLUICE_UPLOAD_PART_BYTES must be at least \(S3StreamingUpload.minimumPartSize) (5 MiB), found '\(partText)'")
        }
        var prefix = environment["SLUICE_UPLOAD_PREFIX"] ?? "uploads/"
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        return UploadSettings(client: s3, bucket: bucket, prefix: prefix, maxBytes: maxBytes, partSize: partSize)
    }

    private func serve(logger: Logger) async throws {
        let environment = ProcessInfo.processInfo.environment
        // swift-metrics into the Prometheus registry that GET /metrics prints (once, before any metric is made).
        ServerMetrics.bootstrap()
        let host = host ?? environment["SLUICE_HTTP_HOST"] ?? "127.0.0.1"
        let portText = port.map(String.init) ?? environment["SLUICE_HTTP_PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw SluiceError(.invalidArgument, "the port must be 0 to 65535, found '\(portText)'")
        }
        let database = try Environment.database()
        // Migrations at start, on one direct connection, before the pool serves requests.
        try await database.withConnection(logger: logger) { connection in
            try await Migrator().migrate(on: connection, logger: logger)
        }
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        let s3 = try Environment.s3().map { try S3Client(configuration: $0, logger: logger) }
        let readiness = ReadinessCheck(database: client, s3: s3, bucket: environment["SLUICE_S3_BUCKET"] ?? (s3 == nil ? nil : "sluice"), logger: logger)
        let catalog = try PipelineCatalog(folder: pipelines ?? environment["SLUICE_PIPELINES"] ?? "pipelines")
        let workerText = workers.map(String.init) ?? environment["SLUICE_WORKERS"] ?? "2"
        guard let workerCount = Int(workerText), (0...64).contains(workerCount) else {
            throw SluiceError(.invalidArgument, "workers must be 0 to 64, found '\(workerText)'")
        }
        // LISTEN needs a session: behind PgBouncer in transaction mode, poll instead.
        let wakeupText = environment["SLUICE_JOB_WAKEUPS"] ?? "listen"
        guard let wakeups = JobWorkerConfiguration.Wakeups(rawValue: wakeupText) else {
            throw SluiceError(.invalidArgument, "SLUICE_JOB_WAKEUPS must be listen or poll, found '\(wakeupText)'")
        }
        let queue = JobQueue(source: PooledConnections(client: client), logger: logger)
        let runner = PipelineRunner(
            connections: PooledConnections(client: client), inputs: InputLocator(s3Configuration: try Environment.s3(), logger: logger), logger: logger)
        // How long a job's lease lasts: a node that dies leaves its jobs to others after this.
        let leaseText = environment["SLUICE_JOB_LEASE_SECONDS"] ?? "30"
        guard let leaseSeconds = Int(leaseText), (3...3600).contains(leaseSeconds) else {
            throw SluiceError(.invalidArgument, "SLUICE_JOB_LEASE_SECONDS must be 3 to 3600, found '\(leaseText)'")
        }
        let jobLease = Duration.seconds(leaseSeconds)
        // Finished jobs are deleted after SLUICE_JOB_RETENTION_DAYS (default 7; dead ones after four
        // times as long; 0 keeps them all).
        let retentionText = environment["SLUICE_JOB_RETENTION_DAYS"] ?? "7"
        guard let retentionDays = Double(retentionText), retentionDays >= 0, retentionDays.isFinite else {
            throw SluiceError(.invalidArgument, "SLUICE_JOB_RETENTION_DAYS must be a number of days, found '\(retentionText)'")
        }
        let jobWorkers = JobWorkerService(
            queue: queue,
            handlers: [
                RunJobHandler(catalog: catalog, runner: runner, logger: logger),
                BillingJobHandler(
                    store: BillingStore(source: PooledConnections(client: client), logger: logger), makeGateway: BillingCommand.gateway(logger: logger),
                    logger: logger),
            ],
            configuration: JobWorkerConfiguration(
                concurrency: max(workerCount, 1), leaseTTL: jobLease, wakeups: wakeups, rescueInterval: jobLease / 2,
                // This node takes runs of its own pipelines only, and other kinds' default queue.
                queues: [JobQueue.defaultQueue, BillingHandOff.jobQueue] + catalog.pipelines.keys.sorted().map(RunJobPayload.queue(for:)),
                retention: retentionDays > 0 ? .seconds(retentionDays * 86_400) : nil),
            listenOn: database, logger: logger)
        // Notifications: made durable in batches before they are answered, processed by workers
        // of their own, so a long load never holds them back.
        let policy = ChargebackPolicy(environment: environment)
        // Journal batches written at once (SLUICE_NOTIFICATION_WRITERS, default 4): while some commit, the next fill.
        let writersText = environment["SLUICE_NOTIFICATION_WRITERS"] ?? "4"
        guard let writers = Int(writersText), (1...32).contains(writers) else {
            throw SluiceError(.invalidArgument, "SLUICE_NOTIFICATION_WRITERS must be 1 to 32, found '\(writersText)'")
        }
        let journal = NotificationJournal(source: PooledConnections(client: client), queue: queue, writers: writers, logger: logger)
        let reconciliationSettings = try ReconciliationSettings.fromEnvironment(environment)
        let reconciler = Reconciler(
            source: PooledConnections(client: client), makeGateway: ReconcileCommand.gateway(logger: logger), policy: policy,
            settings: reconciliationSettings, logger: logger)
        let reconciliationWorkers = JobWorkerService(
            queue: queue,
            handlers: [
                NotificationJobHandler(source: PooledConnections(client: client), policy: policy, logger: logger),
                ReconcilePendingJobHandler(reconciler: reconciler, logger: logger),
                ReconcileByDateJobHandler(reconciler: reconciler, logger: logger),
                ChargebackSyncJobHandler(reconciler: reconciler, logger: logger),
            ],
            configuration: JobWorkerConfiguration(
                concurrency: 2, leaseTTL: jobLease, wakeups: wakeups, rescueInterval: jobLease / 2, queues: [JobQueue.defaultQueue],
                retention: retentionDays > 0 ? .seconds(retentionDays * 86_400) : nil),
            listenOn: database, logger: logger)
        // Health and metrics answer without a token unless SLUICE_OPEN_MONITORING=false.
        let openMonitoring = try Self.flag(environment, "SLUICE_OPEN_MONITORING", default: true)
        let routes = ServerRoutes(
            database: client, readiness: readiness, catalog: catalog, queue: queue, eventsToken: environment["SLUICE_EVENTS_TOKEN"],
            tokenCacheTTL: try Self.seconds(environment, "SLUICE_TOKEN_CACHE_SECONDS", default: 2),
            openMonitoring: openMonitoring, uploads: try Self.uploadSettings(s3: s3, environment: environment),
            webhooks: try WebhookSettings.fromEnvironment(environment), journal: journal, reconciler: reconciler, logger: logger)
        let app = HTTPServer.service(routes: routes, host: host, port: port, logger: logger) { bound in
            // Tests and scripts read the port from this line when they asked for port 0.
            LogSettings(environment: environment, server: true, verbose: verbose).announce("sluice serve: listening on http://\(host):\(bound)")
        }
        // Polling the watched buckets: every SLUICE_WATCH_INTERVAL seconds (default 10; 0 turns it off).
        let watchInterval = try Self.seconds(environment, "SLUICE_WATCH_INTERVAL", default: 10)
        // The pool first: a ServiceGroup stops services in reverse order, so it closes last,
        // and the HTTP server last, so it stops taking requests first.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: client)]
        // Spans go out over OTLP only when an endpoint is set; listed early, so it flushes last.
        if let tracing = try OTLPTracing.bootstrapIfConfigured(
            environment: environment, node: LogSettings(environment: environment, server: true, verbose: verbose).node, logger: logger) {
            services.append(.init(service: tracing))
        }
        // Before HTTP, so it stops after it: requests in flight still get their durable answer.
        services.append(.init(service: journal))
        if workerCount > 0 {
            services.append(.init(service: jobWorkers))
            services.append(.init(service: reconciliationWorkers))
            // Every node queues each period's reconciliation; the dedupe key keeps it to one job.
            // SLUICE_RECONCILE_SCHEDULE=false leaves the queueing to other nodes (or to operators).
            if try Self.flag(environment, "SLUICE_RECONCILE_SCHEDULE", default: true) {
                services.append(.init(service: ReconciliationScheduler(queue: queue, settings: reconciliationSettings, logger: logger)))
            }
        }
        if watchInterval > .zero, let s3, !catalog.router.routes.isEmpty {
            let watcher = BucketWatchService(
                scanner: BucketScanner(client: s3, router: catalog.router), database: client, queue: queue,
                interval: watchInterval, logger: logger)
            services.append(.init(service: watcher))
        }
        // Expired VOP answers go every SLUICE_VOP_PRUNE_INTERVAL seconds (default an hour; 0 never).
        let pruneInterval = try Self.seconds(environment, "SLUICE_VOP_PRUNE_INTERVAL", default: 3600)
        if pruneInterval > .zero {
            services.append(.init(service: VOPCachePruneService(database: client, interval: pruneInterval, logger: logger)))
        }
        services.append(.init(service: app))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        try await ServiceGroup(configuration: configuration).run()
    }
}
