import SluiceFormats
import Foundation

extension RunSummaryReport {
    /// One line of the summary as a table: `section`, `key` and a value that is a number
    /// where it can be.
    public struct Entry: Sendable, Hashable {
        public var section: String
        public var key: String
        public var text: String
        public var number: Double?
    }

    /// The summary as `section, key, value` rows, for CSV and the XLSX `Summary` sheet.
    public var entries: [Entry] {
        func text(_ section: String, _ key: String, _ value: String) -> Entry { Entry(section: section, key: key, text: value, number: nil) }
        func number(_ section: String, _ key: String, _ value: Double) -> Entry {
            Entry(section: section, key: key, text: Self.format(value), number: value)
        }
        let counters = run.counters
        var result = [
            text("run", "id", run.idText), text("run", "pipeline", run.pipeline), text("run", "object", run.objectURI),
            text("run", "status", run.status.rawValue), text("run", "started_at", Self.timestamp(run.startedAt)),
            text("run", "finished_at", run.finishedAt.map(Self.timestamp) ?? ""),
        ]
        if let durationSeconds = run.durationSeconds { result.append(number("run", "duration_seconds", durationSeconds)) }
        if let error = run.error { result.append(text("run", "error", error)) }
        result += [
            number("rows", "read", Double(counters.rowsRead)), number("rows", "accepted", Double(counters.rowsAccepted)),
            number("rows", "rejected", Double(counters.rowsRejected)), number("rows", "bytes_read", Double(counters.bytesRead)),
            number("rows", "batches", Double(counters.batches)),
        ]
        result += sortedStages.map { number("rejections_by_stage", $0.0, Double($0.1)) }
        result += sortedReasons.map { number("rejections_by_reason", $0.0, Double($0.1)) }
        result += timings.sorted { $0.key < $1.key }.map { number("timings_seconds", $0.key, $0.value) }
        if let vop { result += vop.summaryEntries }
        return result
    }

    /// CSV with the header `section,key,value`.
    public func csv() -> String {
        var output = CSVFieldQuoting.record(["section", "key", "value"])
        for entry in entries { output += CSVFieldQuoting.record([entry.section, entry.key, entry.text]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Pretty-printed JSON with sorted keys and ISO 8601 times.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A few aligned blocks for the terminal.
    public func text() -> String {
        let counters = run.counters
        var lines = [
            "Run       \(run.idText)  \(run.status.rawValue)",
            "Pipeline  \(run.pipeline)",
            "Object    \(run.objectURI)",
            "Started   \(Self.timestamp(run.startedAt))",
            "Finished  " + (run.finishedAt.map { Self.timestamp($0) + "  (\(Self.format(run.durationSeconds ?? 0)) s)" } ?? "-"),
        ]
        if let error = run.error { lines.append("Error     \(error)") }
        lines.append("Rows      read \(counters.rowsRead)  accepted \(counters.rowsAccepted)  rejected \(counters.rowsRejected)  "
            + "(\(counters.bytesRead) bytes, \(counters.batches) batches)")
        if counters.rowsFlagged > 0 { lines.append("Flagged   \(counters.rowsFlagged) accepted rows carry a review code") }
        func block(_ title: String, _ rows: [(String, String)]) {
            lines.append("")
            lines.append(title)
            if rows.isEmpty { lines.append("  none") }
            let width = rows.map(\.0.count).max() ?? 0
            for (key, value) in rows {
                lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
        }
        block("Rejections by stage", sortedStages.map { ($0.0, String($0.1)) })
        block("Rejections by reason", sortedReasons.map { ($0.0, String($0.1)) })
        if !counters.flaggedByReason.isEmpty {
            block("Flags by review code (accepted rows)", counters.flaggedByReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.0, String($0.1)) })
        }
        block("Timings (seconds)", timings.sorted { $0.key < $1.key }.map { ($0.key, Self.format($0.value)) })
        if let vop {
            lines.append("")
            lines += vop.textLines
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Up to three decimals, without trailing zeros: `12`, `0.25`, `3.142`.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
