import AsyncAlgorithms
import Foundation
import Logging
import PostgresNIO
import SluiceBilling
import SluiceCore
import SluiceFormats
import SluicePostgres
import SluiceStages
import SluiceValidation
import SluiceVOP

/// Runs a pipeline over one object: finds or creates its run, resumes from the last
/// checkpoint, and streams batches through decode → stages → encode → sink.
///
/// A run is one task group with one child per step, connected by bounded channels, so at
/// most a few batches are in memory whatever the size of the object, and decoding the
/// next batch overlaps with the COPY of the previous one.
public struct PipelineRunner: Sendable {
    /// Where the run's connections come from: the process's pool, or fresh ones.
    public let connections: any ConnectionSource
    public let inputs: InputLocator
    public let logger: Logger

    public init(connections: any ConnectionSource, inputs: InputLocator, logger: Logger = Logger(label: "sluice")) {
        self.connections = connections
        self.inputs = inputs
        self.logger = logger
    }

    /// A runner that opens a fresh connection for each piece of work (tools and tests).
    public init(database: DatabaseConfiguration, inputs: InputLocator, logger: Logger = Logger(label: "sluice")) {
        self.init(connections: database, inputs: inputs, logger: logger)
    }

    public func run(_ spec: PipelineSpec, input: String, options: RunOptions = RunOptions()) async throws -> RunSummary {
        let started = ContinuousClock.now
        var options = options
        var spec = spec
        if options.vopCacheOnly, var vop = spec.vop {
            // Nothing is called, so nothing comes back: a row the cache cannot answer is
            // unavailable, and waiting for the provider (`pause`) would wait for ever.
            if vop.stage.policy.unavailable == .pause { vop.stage.policy.unavailable = .flag }
            spec.vop = vop
            // The provider the cache answers were paid to, as configured (EPC when none is).
            let provider = options.payeeVerifier?.provider ?? ((try? VOPProviderConfiguration.fromEnvironment())??.provider ?? .epc)
            options.payeeVerifier = (CacheOnlyVerifier(provider: provider), provider)
        }
        if spec.vop != nil, options.payeeVerifier == nil {
            // Before anything is read or written: a pipeline that verifies payees never runs without its provider.
            guard let provider = try VOPProviderConfiguration.fromEnvironment() else { throw VOPSpec.noProvider(pipeline: spec.name) }
            options.payeeVerifier = (provider.makeVerifier(logger: logger), provider.provider)
        }
        let source = try inputs.source(for: input)
        let object = try await source.describe()
        var logger = self.logger
        logger[metadataKey: "pipeline"] = "\(spec.name)"
        logger[metadataKey: "object"] = "\(object.uri)"

        let runLogger = logger
        do {
            return try await connections.withConnection(logger: logger) { [self] connection in
                try await run(spec, source: source, object: object, connection: connection, options: options, started: started, logger: runLogger)
            }
        } catch {
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
        let lossGuard = ConnectionLossGuard(connection: connection)
        let store = RunStore(connection: connection, logger: logger, lossGuard: lossGuard)

        // A file changed under an unfinished run is the reason to give, before the table is
        // looked at (a changed type would otherwise be refused as a table that does not fit).
        if options.mode == .load {
            let unfinished = if let id = options.resumeRunID {
                try await store.run(id: id)
            } else {
                try await store.openRun(pipeline: spec.name, object: object)
            }
            if let unfinished { try Self.checkPlan(of: unfinished, against: spec) }
        }
        // A dry run writes nothing to the target table, so it does not create it either.
        if options.mode != .dryRun {
            try await migrator.ensureTargetTable(spec.target, columns: spec.columns, on: connection, logger: logger)
        }
        let identity = ObjectIdentity(source: source, object: object, store: store, logger: logger)
        let (found, foundUnfinished) = try await identity.findOrCreateRun(spec, options: options, node: NodeName.current)
        // Again for a run found by its content (a local file that was touched).
        if foundUnfinished || found.counters.batches > 0 { try Self.checkPlan(of: found, against: spec) }
        var logger = logger
        logger[metadataKey: "run"] = "\(found.idText)"
        let lease = try await LeaseWait(store: store, wait: options.lockWait, ttl: options.leaseTTL, logger: logger).acquire(found)
        // Read the run again under the lease: another process may have worked on it (or
        // created it a moment ago) while this one waited.
        guard let run = try await store.run(id: found.id), !run.status.isFinal else {
            try? await store.release(lease)
            throw SluiceError(.alreadyLoaded, "run \(found.idText) ended while this process waited for it")
        }
        let resumed = foundUnfinished || run.counters.batches > 0
        // The lease is renewed on a connection of its own: the sinks' are inside batch
        // transactions. (Should that connection not come, the lease simply expires.)
        let runLogger = logger
        return try await connections.withConnection(logger: logger) { [self] leaseConnection in
            let keeper = LeaseKeeper(store: RunStore(connection: leaseConnection, logger: runLogger), lease: lease, control: options.control)
            return try await work(
                spec, run: run, resumed: resumed, lease: lease, keeper: keeper, source: source, object: object, connection: connection,
                store: store, lossGuard: lossGuard, options: options, started: started, logger: runLogger)
        }
    }

    /// One attempt under the lease: the data path, then what the state machine decides.
    private func work(
        _ spec: PipelineSpec, run: RunRecord, resumed: Bool, lease: RunLease, keeper: LeaseKeeper, source: any ByteSource,
        object: SourceObject, connection: PostgresConnection, store: RunStore, lossGuard: ConnectionLossGuard, options: RunOptions,
        started: ContinuousClock.Instant, logger: Logger
    ) async throws -> RunSummary {
        let runLogger = logger

        var machine = RunStateMachine()
        let outcome = Outcome()
        do {
            if case .markRunning(let resumed) = machine.start(resumed: resumed) {
                try await store.markRunning(lease, resumed: resumed, node: NodeName.current)
            }
            try await keeper.whileKept { [self] in
                try await load(
                    spec, run: run, resumed: resumed, lease: lease, source: source, object: object, connection: connection, store: store,
                    lossGuard: lossGuard, options: options, started: started, outcome: outcome, logger: runLogger)
            }
            let result = outcome.value
            if let stop = options.control.stopReason { _ = machine.stopRequested(stop) }
            let timings = result.timings
            switch machine.flowFinished(readToEnd: result.readToEnd, budgetBreach: result.budgetBreach) {
            case .failBudget(let reason):
                logger.warning("error budget exceeded; removing the run's rows", metadata: ["reason": "\(reason)"])
                try await store.failBudget(lease, reason: reason, table: options.mode == .dryRun ? nil : spec.target, timings: timings)
            case .markInterrupted:
                logger.warning("run interrupted; it resumes from its last committed batch")
                try await store.finish(lease, status: .interrupted, error: "interrupted by a signal; what was committed stays, and the run resumes from there", timings: timings)
            case .markCancelled:
                try await store.finish(lease, status: .cancelled, error: "cancelled; what was committed stays", timings: timings)
            case .checkRows:
                // No run completes unless every row it covered is accounted for.
                let problems = try await store.invariantFacts(of: run, table: spec.target, countTargetRows: resumed)
                    .breaches(firstOffset: result.dataOffset, positionsCountRows: !result.format.positionsAreBytes)
                switch machine.rowsChecked(problems: problems) {
                case .markFailed(let reason):
                    try await store.finish(lease, status: .failed, error: reason, timings: timings)
                    throw SluiceError(.invariantBroken, reason)
                default:
                    try await store.finish(lease, status: .completed, error: nil, timings: timings, handOff: try Self.billingHandOff(spec, mode: options.mode))
                }
            default:
                break
            }
        } catch {
            let message = (error as? SluiceError)?.description ?? String(describing: error)
            if case .markFailed(let reason) = machine.failed(message) {
                try? await store.finish(lease, status: .failed, error: reason, timings: outcome.value.timings)
            }
            throw error
        }

        let result = outcome.value
        // The run as it stands now (status, error, totals of every attempt) is the summary's
        // run; the rest is this attempt's.
        let final = try await store.run(id: run.id) ?? run
        return RunSummary(
            run: final,
            thisAttempt: result.counters,
            resumed: resumed,
            resumedFromOffset: resumed ? result.startOffset : nil,
            detected: result.detected,
            seconds: (ContinuousClock.now - started).seconds,
            stageSeconds: result.timings,
            vop: result.vop
        )
    }

    /// Refuses to resume `run` when the pipeline file changed how batches are cut or mapped
    /// since the run began (its `RunPlan`): the committed batches and the rest would not fit.
    static func checkPlan(of run: RunRecord, against spec: PipelineSpec) throws {
        guard let stored = run.plan.flatMap(RunPlan.init(json:)) else { return }
        let changes = RunPlan(spec: spec, batchRows: run.batchRows).changes(since: stored)
        guard !changes.isEmpty else { return }
        throw SluiceError(.runNotResumable, """
            the pipeline file changed since run \(run.idText) began, so its remaining batches would be read or mapped \
            differently from the \(run.counters.batches) it committed: \(changes.joined(separator: "; ")). Put the file back as it was \
            to resume, or cancel the run (sluice cancel \(run.idText)) and load the object again with --force
            """)
    }

    /// The hand-off to billing a completed run of `spec` writes with its completion: when the
    /// pipeline bills, and bills on completion. Dry runs and tests never bill.
    static func billingHandOff(_ spec: PipelineSpec, mode: RunMode = .load) throws -> BillingHandOff? {
        guard mode == .load, let billing = spec.billing, billing.startOnCompletion else { return nil }
        let json = String(decoding: try JSONEncoder().encode(billing), as: UTF8.self)
        return BillingHandOff(pipeline: spec.name, targetTable: spec.target.description, settingsJSON: json)
    }

    /// What one attempt did, filled in as it goes (a failure still leaves the timings).
    final class Outcome: @unchecked Sendable {
        struct Value {
            var counters = RunCounters()
            var timings: [String: Double] = [:]
            var readToEnd = false
            var budgetBreach: String?
            var startOffset: Int64 = 0
            var dataOffset: Int64 = 0
            var format: SourceFormat = .csv
            var detected: [String] = []
            var vop: VOPStageStats?
        }
        // Written by the one task that runs `load`, read after it ends.
        var value = Value()
    }

    /// Reads the header, builds the stages and runs the flow: one attempt's data path.
    private func load(
        _ spec: PipelineSpec, run: RunRecord, resumed: Bool, lease: RunLease, source: any ByteSource, object: SourceObject,
        connection: PostgresConnection, store: RunStore, lossGuard: ConnectionLossGuard, options: RunOptions,
        started: ContinuousClock.Instant, outcome: Outcome, logger: Logger
    ) async throws {
        // Always from the checkpoints: a run another process created is not new to this one.
        let resume = ResumePoint(checkpoints: try await store.checkpoints(of: run))
        if resumed {
            logger.info("resuming run", metadata: [
                "offset": "\(resume.offset ?? 0)", "batch": "\(resume.nextSequence)", "committed_later": "\(resume.committedAfter.count)",
            ])
        }
        // The screening connection lives as long as the flow (the history filter asks about
        // each batch's candidates); each extra sink has its own connection.
        // The VOP stage's cache lookups and budget grants have one more.
        let screeningConnections = spec.screening.enabled ? 1 : 0
        let vopConnections = spec.vop != nil ? 1 : 0
        let sinkConnections = spec.sinkConnections - 1
        let loadLogger = logger
        try await connections.withConnections(screeningConnections + vopConnections + sinkConnections, logger: logger) { [self] extra in
            try await load(
                spec, run: run, resumed: resumed, resume: resume, lease: lease, source: source, object: object, connection: connection,
                screening: screeningConnections == 1 ? extra.first : nil,
                vop: vopConnections == 1 ? extra[screeningConnections] : nil,
                extraSinks: Array(extra.dropFirst(screeningConnections + vopConnections)),
                store: store, lossGuard: lossGuard, options: options, started: started, outcome: outcome, logger: loadLogger)
        }
    }

    private func load(
        _ spec: PipelineSpec, run: RunRecord, resumed: Bool, resume: ResumePoint, lease: RunLease, source: any ByteSource, object: SourceObject,
        connection: PostgresConnection, screening: PostgresConnection?, vop vopConnection: PostgresConnection?, extraSinks: [PostgresConnection],
        store: RunStore,
        lossGuard: ConnectionLossGuard, options: RunOptions, started: ContinuousClock.Instant, outcome: Outcome, logger: Logger
    ) async throws {
        var decoder = try await RecordDecoders.open(source: source, object: object, options: spec.source.decoderOptions(batchRows: run.batchRows))
        let header = try await decoder.readSourceHeader()
        outcome.value.detected = header.detected
        outcome.value.dataOffset = header.dataOffset
        outcome.value.format = header.format
        for note in header.detected {
            logger.notice("input detected", metadata: ["detected": "\(note)"])
        }
        let mapping = try ColumnMapping(header: header.fields, columns: spec.columns, object: object.uri)
        var columnSources: [String: Int] = [:]
        for (column, index) in zip(mapping.columns, mapping.sourceIndex) { if let index { columnSources[column.name] = index } }
        try await store.recordSource(run, header: header, columnSources: columnSources)
        let firstOffset = resume.offset ?? header.dataOffset
        outcome.value.startOffset = firstOffset
        if let offset = resume.offset, let line = resume.line {
            try await decoder.seek(toOffset: offset, line: line, sequence: resume.nextSequence)
        }
        var repositories: any StageRepositories = PostgresStageRepositories(connection: connection, screening: screening, logger: logger)
        if let blacklist = options.fixtureBlacklist { repositories = FixtureRepositories(base: repositories, blacklist: blacklist) }
        var vopServices: VOPServices?
        if let vopSpec = spec.vop, let (verifier, provider) = options.payeeVerifier, let vopConnection {
            // A pipeline test asks its simulator every time: the shared cache and budget are for real answers.
            let shared = options.mode != .test
            vopServices = VOPServices(
                verifier: verifier, provider: provider, answers: shared ? VOPResultCache(connection: vopConnection, logger: logger) : nil,
                budget: shared ? vopSpec.dailyBudget.map { VOPDailyBudget(connection: vopConnection, callsPerDay: $0, logger: logger) } : nil)
        }
        let stages = try await PipelineBuilder(spec: spec, repositories: repositories, vop: vopServices, logger: logger)
            .stages(
                mapping: mapping, runID: run.id, resumeOffset: resume.offset, committedBatches: Set(resume.laterCheckpoints.keys),
                additional: options.additionalStages)
        let vopStage = stages.lazy.compactMap { $0 as? VOPStage }.first
        defer {
            if let vopStage {
                let stats = vopStage.stats
                outcome.value.vop = stats
                logger.info("payee verification", metadata: [
                    "calls": "\(stats.calls)", "cache_hits": "\(stats.cacheHits)", "shared": "\(stats.sharedAnswers)",
                    "not_verified": "\(stats.notVerified)", "failures": "\(stats.failures)", "max_in_flight": "\(stats.maxInFlight)",
                ])
            }
        }
        let encoder = CopyEncoder(runID: run.id, columns: spec.columns, keepRaw: spec.keepRaw)
        let writesTarget = options.mode != .dryRun
        let storesPaidAnswers = options.mode != .test
        var sinks = [BatchSink(
            connection: connection, table: spec.target, encoder: encoder, lease: lease, logger: logger, lossGuard: lossGuard,
            writesTarget: writesTarget, storesPaidAnswers: storesPaidAnswers)]
        for extra in extraSinks {
            sinks.append(BatchSink(
                connection: extra, table: spec.target, encoder: encoder, lease: lease, logger: logger, writesTarget: writesTarget,
                storesPaidAnswers: storesPaidAnswers))
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
            control: options.control,
            afterCommit: { batch in
                let (total, reached) = tally.add(batch.counters, offset: batch.nextOffset)
                options.onProgress?(RunProgress(
                    runID: run.id, counters: total, offset: reached, objectSize: header.positionEnd ?? object.size,
                    startOffset: firstOffset, elapsed: ContinuousClock.now - started, format: header.format, batch: batch.counters))
                var overall = earlier
                overall.add(total)
                if let breach = budget.rowLimitBreach(overall) { throw BudgetExceeded(reason: breach) }
            }
        )
        do {
            let result = try await flow.run(decoder: decoder)
            outcome.value.timings = result.stageSeconds
            outcome.value.counters = result.counters
            outcome.value.readToEnd = result.readToEnd
            if budget.isLimited, result.readToEnd, let totals = try await store.run(id: run.id)?.counters {
                outcome.value.budgetBreach = budget.finalBreach(totals)
            }
        } catch let exceeded as BudgetExceeded {
            outcome.value.budgetBreach = exceeded.reason
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
