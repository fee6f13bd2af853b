import SluiceCore
import SluiceValidation

extension RunSummary {
    /// The summary as `sluice run` prints it: counts by outcome and reason, data, time, and
    /// the busy time of each step.
    public var text: String {
        let totals = run.counters
        var lines: [String] = []
        let mode = run.mode == .dryRun ? " (dry run: nothing was written to \(run.targetTable), billing or the blacklist)" : ""
        lines.append("Run \(run.idText) \(run.status.rawValue)\(resumed ? " (resumed)" : "")\(mode)")
        lines.append("  pipeline   \(run.pipeline) → \(run.targetTable)")
        lines.append("  object     \(run.objectURI)")
        if !detected.isEmpty { lines.append("  detected   \(detected.joined(separator: ", "))") }
        lines.append("  rows read  \(Self.pad(totals.rowsRead))")
        lines.append("  accepted   \(Self.pad(totals.rowsAccepted))")
        lines.append("  rejected   \(Self.pad(totals.rowsRejected))")
        lines += Self.reasons(totals.rejectedByReason)
        if totals.rowsFlagged > 0 {
            lines.append("  flagged    \(Self.pad(totals.rowsFlagged))  (accepted, for review)")
            lines += Self.reasons(totals.flaggedByReason)
        }
        if totals.rowsSkipped > 0 { lines.append("  blank      \(Self.pad(totals.rowsSkipped))  (blank lines or rows, skipped)") }
        lines.append("  data       " + (totals.bytesRead > 0 ? "\(HumanNumbers.bytes(totals.bytesRead)) in " : "") + "\(totals.batches) batches")
        lines.append("  time       \(HumanNumbers.fixed(seconds, 2)) s, \(HumanNumbers.grouped(Int64(rowsPerSecond))) rows/s"
            + (resumed ? " (this attempt: \(HumanNumbers.grouped(thisAttempt.rowsRead)) rows)" : ""))
        if !stageSeconds.isEmpty {
            let steps = ["parse", "stages", "encode", "sink"].compactMap { name in
                stageSeconds[name].map { "\(name) \(HumanNumbers.fixed($0, 2))s" }
            }
            lines.append("  busy       " + steps.joined(separator: ", "))
            // The cast stage (typed columns) runs right after validate.
            let order = StageName.pipelineOrder.flatMap { $0 == .validate ? [$0, .cast] : [$0] }
            let perStage = order.compactMap { name in
                stageSeconds["stage." + name.rawValue].map { "\(name) \(HumanNumbers.fixed($0, 2))s" }
            }
            if !perStage.isEmpty { lines.append("  stages     " + perStage.joined(separator: ", ")) }
        }
        if let vop {
            var parts = ["\(HumanNumbers.grouped(Int64(vop.calls))) calls"]
            if vop.calls > 0 { parts.append("mean \(HumanNumbers.fixed(vop.meanLatencyMilliseconds, 1)) ms, at most \(vop.maxInFlight) in flight") }
            parts.append("\(HumanNumbers.grouped(Int64(vop.cacheHits))) from the cache")
            parts.append("\(HumanNumbers.grouped(Int64(vop.sharedAnswers))) shared")
            if vop.notVerified > 0 { parts.append("\(HumanNumbers.grouped(Int64(vop.notVerified))) not verified") }
            if vop.failures > 0 { parts.append("\(HumanNumbers.grouped(Int64(vop.failures))) failed") }
            lines.append("  vop        " + parts.joined(separator: ", "))
        }
        if let error = run.error { lines.append("  error      \(error)") }
        if let dryRunReport { lines.append("  report     \(dryRunReport)  (rejected rows and why; sluice report rejections \(run.idText.prefix(8)) writes it again)") }
        return lines.joined(separator: "\n")
    }

    /// Reason codes, most frequent first, under their outcome's line.
    private static func reasons(_ counts: [String: Int64]) -> [String] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { code, count in
            "    \(code.padding(toLength: 28, withPad: " ", startingAt: 0)) \(pad(count))"
        }
    }

    private static func pad(_ value: Int64) -> String {
        let text = HumanNumbers.grouped(value)
        return String(repeating: " ", count: max(0, 12 - text.count)) + text
    }
}
