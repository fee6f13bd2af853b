import Foundation
import SluiceCore
import SluiceVOP

/// The outcome of `sluice run`: the run as it stands after this attempt, and what this
/// attempt did. Printed as text or JSON.
///
/// The run's identity, status and totals are the run's own (`run`), read back from
/// `sluice.runs` after the attempt; nothing of it is copied here.
public struct RunSummary: Sendable, Hashable {
    /// The run after this attempt: its status, error and totals over every attempt.
    public var run: RunRecord
    /// What this invocation did.
    public var thisAttempt: RunCounters
    public var resumed: Bool
    public var resumedFromOffset: Int64?
    /// What was detected about the input and undone while reading it (compression, UTF-16).
    public var detected: [String]
    public var seconds: Double
    /// Busy time per stage in seconds; stages overlap, so they add up to more than `seconds`.
    public var stageSeconds: [String: Double]
    /// What this attempt's payee verification did; `nil` without a `vop:` section.
    public var vop: VOPStageStats?
    /// Where a dry run's rejection report was written (`sluice run --dry-run`).
    public var dryRunReport: String?

    public init(
        run: RunRecord, thisAttempt: RunCounters, resumed: Bool, resumedFromOffset: Int64? = nil, detected: [String] = [],
        seconds: Double, stageSeconds: [String: Double] = [:], vop: VOPStageStats? = nil
    ) {
        self.run = run
        self.thisAttempt = thisAttempt
        self.resumed = resumed
        self.resumedFromOffset = resumedFromOffset
        self.detected = detected
        self.seconds = seconds
        self.stageSeconds = stageSeconds
        self.vop = vop
    }

    /// Rows this attempt read per second.
    public var rowsPerSecond: Double { seconds > 0 ? Double(thisAttempt.rowsRead) / seconds : 0 }
}

extension RunSummary: Encodable {
    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case pipeline, object, etag, status, totals
        case thisAttempt = "this_attempt"
        case resumed
        case resumedFromOffset = "resumed_from_offset"
        case detected
        case seconds
        case rowsPerSecond = "rows_per_second"
        case stageSeconds = "stage_seconds"
        case targetTable = "target_table"
        case error
        case vop
        case mode
        case dryRunReport = "dry_run_report"
    }

    /// The keys `sluice run --json` has always printed (docs/cli.md): the run's fields flat,
    /// beside this attempt's; `resumed_from_offset`, `error` and `vop` only when they have a value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run.idText, forKey: .runID)
        try container.encode(run.pipeline, forKey: .pipeline)
        try container.encode(run.objectURI, forKey: .object)
        try container.encode(run.etag, forKey: .etag)
        try container.encode(run.status, forKey: .status)
        try container.encode(run.counters, forKey: .totals)
        try container.encode(thisAttempt, forKey: .thisAttempt)
        try container.encode(resumed, forKey: .resumed)
        try container.encodeIfPresent(resumedFromOffset, forKey: .resumedFromOffset)
        try container.encode(detected, forKey: .detected)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(rowsPerSecond, forKey: .rowsPerSecond)
        try container.encode(stageSeconds, forKey: .stageSeconds)
        try container.encode(run.targetTable, forKey: .targetTable)
        try container.encodeIfPresent(run.error, forKey: .error)
        try container.encodeIfPresent(vop, forKey: .vop)
        try container.encode(run.mode, forKey: .mode)
        try container.encodeIfPresent(dryRunReport, forKey: .dryRunReport)
    }
}
