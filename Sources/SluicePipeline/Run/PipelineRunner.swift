import AsyncAlgorithms
import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluiceFormats
import SluicePostgres
import SluiceStages
import SluiceValidation

/// Runs a pipeline over one object: finds or creates its run, resumes from the last
/// checkpoint, and streams batches through decode → stages → encode → sink.
///
/// A run is one task group with one child per step, connected by bounded channels, so at
/// most a few batches are in memory whatever the size of the object, and decoding the
/// next batch overlaps with the COPY of the previous one.
public struct PipelineRunner: Sendable {
    public let database: DatabaseConfiguration
    public let inputs: InputLocator
    public let logger: Logger

    public init(database: DatabaseConfiguration, inputs: InputLocator, logger: Logger = Logger(label: "sluice")) {
        self.database = database
        self.inputs = inputs
        self.logger = logger
    }

    public func run(_ spec: PipelineSpec, input: String, options: RunOptions = RunOptions()) async throws -> RunSummary {
        let started = ContinuousClock.now
        let source = try inputs.source(for: input)
        let object = try await source.describe()
        var logger = self.logger
        logger[metadataKey: "pipeline"] = "\(spec.name)"
        logger[metadataKey: "object"] = "\(object.uri)"

        let connection = try await database.connect(logger: logger)
        do {
            let summary = try await run(spec, source: source, object: object, connection: connection, options: options, started: started, logger: logger)
            try? await connection.close()
            return summary
        } catch {
            try? await connection.close()
            if let error = error as? SluiceError { throw error.adding(pipeline: spec.name, object: object.uri) }
            throw SluiceError(.internalError, "run failed", pipeline: spec.name, object: object.uri, underlying: error)
        }
    }

    private func run(
        _ spec: PipelineSpec,
        source: any ByteSource,
        object: SourceObject,
        connection: PostgresConnection,
        options: RunOptions,
        started: ContinuousClock.Instant,
        logger: Logger
    ) async throws -> RunSummary {
        let migrator = Migrator()
        try await migrator.migrate(on: connection, logger: logger)
        try await migrator.ensureTargetTable(spec.target, columns: spec.columns.map(\.name), on: connection, logger: logger)
        let lossGuard = ConnectionLossGuard(connection: connection)
        let store = RunStore(connection: connection, logger: logger, lossGuard: lossGuard)

        let identity = ObjectIdentity(source: source, object: object, store: store, logger: logger)
        let (run, resumed) = try await identity.findOrCreateRun(spec, options: options, node: Self.nodeName)
        var logger = logger
        logger[metadataKey: "run"] = "\(run.idText)"
        try await RunLockWait(store: store, wait: options.lockWait, logger: logger).acquire(run)
        try await store.markRunning(run, resumed: resumed, node: Self.nodeName)
        let resume = ResumePoint(checkpoints: resumed ? try await store.checkpoints(of: run) : [])
        if resumed {
            logger.info("resuming run", metadata: [
                "offset": "\(resume.offset ?? 0)", "batch": "\(resume.nextSequence)", "committed_later": "\(resume.committedAfter.count)",
            ])
        }

        var timings: [String: Double] = [:]
        var attempt = RunCounters()
        var extraConnections: [PostgresConnection] = []
        var startOffset: Int64 = 0
        var budgetBreach: String?
        var detected: [String] = []
        do {
            var decoder = try await RecordDecoders.open(source: source, object: object, options: spec.source.decoderOptions(batchRows: run.batchRows))
            let header = try await decoder.readSourceHeader()
            detected = header.detected
            for note in header.detected {
                logger.notice("input detected", metadata: ["detected": "\(note)"])
            }
            let mapping = try ColumnMapping(header: header.fields, columns: spec.columns, object: object.uri)
            var columnSources: [String: Int] = [:]
            for (column, index) in zip(mapping.columns, mapping.sourceIndex) { if let index { columnSources[column.name] = index } }
            try await store.recordSource(run, header: header, columnSources: columnSources)
            startOffset = resume.offset ?? header.dataOffset
            let firstOffset = startOffset
            if let offset = resume.offset, let line = resume.line {
                try await decoder.seek(toOffset: offset, line: line, sequence: resume.nextSequence)
            }
            let columnNames = spec.columns.map(\.name)
            var stages: [any Stage] = [
                ColumnMapper(mapping: mapping),
                ValidationStage(columns: columnNames, rules: spec.validation),
            ]
            if spec.screening.enabled {
                let screening = try await database.connect(logger: logger)
                extraConnections.append(screening)
                let index = try await BlacklistStore(connection: screening, logger: logger).loadIndex()
                logger.info("blacklist loaded", metadata: ["entries": "\(index.count)"])
                var history: AttemptHistory?
                if !spec.screening.checks.isDisjoint(with: [.chargeback, .cooldown]) {
                    let loaded = try await AttemptHistory(connection: screening, runID: run.id, cooldownDays: spec.screening.cooldownDays, logger: logger)
                    logger.info("billing history loaded", metadata: ["ibans": "\(loaded.candidates)"])
                    history = loaded
                }
                stages.append(ScreeningStage(columns: columnNames, rules: spec.screening, index: index, history: history))
            }
            if !spec.dedupKey.isEmpty {
                let dedup = try DedupStage(keyColumns: spec.dedupKey, columns: columnNames)
                if let offset = resume.offset {
                    let loaded = try await DedupReload(connection: connection, logger: logger).reload(dedup, table: spec.target, runID: run.id, before: offset)
                    logger.info("dedup keys reloaded", metadata: ["rows": "\(loaded)"])
                }
                stages.append(dedup)
            }
            let encoder = CopyEncoder(runID: run.idText, columns: columnNames, keepRaw: spec.keepRaw)
            var sinks = [BatchSink(connection: connection, table: spec.target, encoder: encoder, runID: run.id, logger: logger, lossGuard: lossGuard)]
            for _ in 1..<spec.sinkConnections {
                let extra = try await database.connect(logger: logger)
                extraConnections.append(extra)
                sinks.append(BatchSink(connection: extra, table: spec.target, encoder: encoder, runID: run.id, logger: logger))
            }
            let tally = ProgressTally(startOffset: firstOffset)
            // Budget checks count every attempt of the run: what earlier attempts committed
            // (`run.counters`, minus nothing: skipped batches are not committed twice) plus this one.
            let earlier = resumed ? run.counters : RunCounters()
            let budget = spec.errorBudget
            let flow = BatchFlow(
                stages: stages,
                sinks: sinks,
                skip: resume.laterCheckpoints,
                firstOffset: firstOffset,
                afterCommit: { batch in
                    let (total, reached) = tally.add(batch.counters, offset: batch.nextOffset)
                    options.onProgress?(RunProgress(
                        runID: run.id, counters: total, offset: reached, objectSize: header.positionEnd ?? object.size,
                        startOffset: firstOffset, elapsed: ContinuousClock.now - started, format: header.format))
                    var overall = earlier
                    overall.add(total)
                    if let breach = budget.rowLimitBreach(overall) { throw BudgetExceeded(reason: breach) }
                }
            )
            do {
                let result = try await flow.run(decoder: decoder)
                timings = result.stageSeconds
                attempt = result.counters
                if budget.isLimited, let totals = try await store.run(id: run.id)?.counters {
                    budgetBreach = budget.finalBreach(totals)
                }
            } catch let exceeded as BudgetExceeded {
                budgetBreach = exceeded.reason
            }
            if let budgetBreach {
                logger.warning("error budget exceeded; removing the run's rows", metadata: ["reason": "\(budgetBreach)"])
                try await store.failBudget(run, reason: "error budget exceeded: \(budgetBreach)", table: spec.target, timings: timings)
            } else {
                // No run completes unless every row it covered is accounted for.
                let problems = try await store.invariantFacts(of: run, table: spec.target)
                    .breaches(firstOffset: header.dataOffset, positionsCountRows: !header.format.positionsAreBytes)
                if !problems.isEmpty {
                    throw SluiceError(.invariantBroken, "the run's rows do not add up, so it is not completed: " + problems.joined(separator: "; "))
                }
                try await store.complete(run, timings: timings)
            }
        } catch {
            let message = (error as? SluiceError)?.description ?? String(describing: error)
            try? await store.fail(run, error: message, timings: timings)
            await Self.close(extraConnections)
            throw error
        }
        await Self.close(extraConnections)

        let seconds = (ContinuousClock.now - started).seconds
        let final = try await store.run(id: run.id) ?? run
        return RunSummary(
            runID: run.idText,
            pipeline: spec.name,
            object: object.uri,
            etag: object.etag,
            status: final.status.rawValue,
            totals: final.counters,
            thisAttempt: attempt,
            resumed: resumed,
            resumedFromOffset: resumed ? startOffset : nil,
            detected: detected,
            seconds: seconds,
            rowsPerSecond: seconds > 0 ? Double(attempt.rowsRead) / seconds : 0,
            stageSeconds: timings,
            targetTable: spec.target.description,
            error: final.error
        )
    }

    private static func close(_ connections: [PostgresConnection]) async {
        for connection in connections { try? await connection.close() }
    }

    /// `host/pid`, recorded on each run. `gethostname` rather than `ProcessInfo.hostName`,
    /// which may wait on a DNS lookup.
    static let nodeName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "unknown"
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)"
    }()
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
