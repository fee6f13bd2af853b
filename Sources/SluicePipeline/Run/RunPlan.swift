import Foundation
import SluiceCore

/// What a run needs to cut and map its batches the same way on every attempt, kept with the
/// run when it starts (`sluice.runs.plan`): the columns (names, aliases, required, types), how
/// the source is read, and the batch size.
///
/// A resumed run compares the pipeline file as it is now with its plan and refuses to go on
/// when they differ: batches committed under the old file and batches cut under the new one
/// would not fit together. It holds no credentials: nothing in it comes from secrets.
public struct RunPlan: Codable, Hashable, Sendable {
    public var columns: [ColumnSpec]
    public var format: String
    public var sheet: String?
    public var delimiter: String
    public var encoding: String
    public var maxRecordBytes: Int
    public var batchRows: Int

    public init(spec: PipelineSpec, batchRows: Int) {
        columns = spec.columns
        format = spec.source.format?.rawValue ?? "auto"
        sheet = spec.source.sheet
        delimiter = spec.source.delimiter.map { String(decoding: [$0], as: UTF8.self) } ?? "auto"
        encoding = spec.source.encoding.rawValue
        maxRecordBytes = spec.source.maxRecordBytes
        self.batchRows = batchRows
    }

    /// The plan as stored: JSON with sorted keys.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public init?(json: String) {
        guard let plan = try? JSONDecoder().decode(RunPlan.self, from: Data(json.utf8)) else { return nil }
        self = plan
    }

    /// What changed from `earlier` to this plan, in words: `column amount: type text → numeric(12,2)`.
    /// Empty when they are the same. The batch size is not compared: a run keeps its own.
    public func changes(since earlier: RunPlan) -> [String] {
        var changes: [String] = []
        func compare<T: Equatable>(_ name: String, _ old: T, _ new: T, _ text: (T) -> String) {
            if old != new { changes.append("\(name) \(text(old)) → \(text(new))") }
        }
        compare("source.format", earlier.format, format) { $0 }
        compare("source.sheet", earlier.sheet, sheet) { $0 ?? "(first)" }
        compare("source.delimiter", earlier.delimiter, delimiter) { $0 == "\t" ? "tab" : $0 }
        compare("source.encoding", earlier.encoding, encoding) { $0 }
        compare("source.max_record_bytes", earlier.maxRecordBytes, maxRecordBytes) { String($0) }
        let oldNames = earlier.columns.map(\.name), newNames = columns.map(\.name)
        if oldNames != newNames {
            changes.append("columns [\(oldNames.joined(separator: ", "))] → [\(newNames.joined(separator: ", "))]")
        }
        for new in columns {
            guard let old = earlier.columns.first(where: { $0.name == new.name }) else { continue }
            compare("column \(new.name): type", old.type, new.type) { $0.declaration }
            compare("column \(new.name): aliases", old.aliases, new.aliases) { "[\($0.joined(separator: ", "))]" }
            compare("column \(new.name): required", old.required, new.required) { String($0) }
        }
        return changes
    }
}
