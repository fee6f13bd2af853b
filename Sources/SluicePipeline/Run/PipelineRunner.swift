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

        let (run, resumed) = try await findOrCreateRun(spec, object: object, store: store, options: options)
        var logger = logger
        logger[metadataKey: "run"] = "\(run.idText)"
        guard try await store.tryLock(run) else {
            throw SluiceError(.runNotResumable, "run \(run.idText) is being processed by another process")
        }
        try await store.markRunning(run, resumed: resumed)
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
        do {
            var decoder = try await RecordDecoders.open(source: source, object: object, options: spec.source.decoderOptions(batchRows: run.batchRows))
            let header = try await decoder.readSourceHeader()
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
                encoder: encoder,
                sinks: sinks,
                skip: resume.committedAfter,
                afterCommit: { counters, offset in
                    let (total, reached) = tally.add(counters, offset: offset)
                    options.onProgress?(RunProgress(
                        runID: run.id, counters: total, offset: reached, objectSize: object.size,
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
            seconds: seconds,
            rowsPerSecond: seconds > 0 ? Double(attempt.rowsRead) / seconds : 0,
            stageSeconds: timings,
            targetTable: spec.target.description,
            error: final.error
        )
    }

    private func findOrCreateRun(_ spec: PipelineSpec, object: SourceObject, store: RunStore, options: RunOptions) async throws -> (RunRecord, Bool) {
        if let id = options.resumeRunID {
            guard let run = try await store.run(id: id) else {
                throw SluiceError(.runNotFound, "no run with id \(id.uuidString.lowercased())")
            }
            guard run.status != .completed else {
                throw SluiceError(.runNotResumable, "run \(run.idText) is already completed")
            }
            guard run.pipeline == spec.name, run.objectURI == object.uri else {
                throw SluiceError(.runNotResumable, "run \(run.idText) is pipeline \(run.pipeline) on \(run.objectURI), not this input")
            }
            guard run.etag == object.etag else {
                throw SluiceError(.sourceChanged, "the object changed since run \(run.idText) started (ETag \(run.etag), now \(object.etag))")
            }
            return (run, true)
        }
        if let open = try await store.openRun(pipeline: spec.name, object: object) {
            return (open, true)
        }
        if !options.force, let done = try await store.completedRun(pipeline: spec.name, object: object) {
            throw SluiceError(.alreadyLoaded, "this object version was already loaded by run \(done.idText); use --force to load it again")
        }
        let batchRows = options.batchSize ?? spec.batchSize
        let run = try await store.createRun(
            pipeline: spec.name, object: object, targetTable: spec.target.description, batchRows: batchRows, node: Self.nodeName)
        return (run, false)
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
