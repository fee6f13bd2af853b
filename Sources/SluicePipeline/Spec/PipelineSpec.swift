import Foundation
import SluiceCore
import SluiceFormats
import SluicePostgres
import SluiceStages
import SluiceValidation
import Yams

/// A pipeline file from `pipelines/`: where data comes from, how its columns map, and where
/// it goes. This is the only place that decodes pipeline YAML.
public struct PipelineSpec: Sendable, Hashable {
    public var name: String
    public var source: SourceSpec
    public var target: TableName
    /// Connections that commit batches in parallel, each batch in its own transaction.
    public var sinkConnections: Int
    /// Whether accepted rows keep their raw record in the target table's `raw` column.
    public var keepRaw: Bool
    public var batchSize: Int
    public var columns: [ColumnSpec]
    /// Rules of the `validate` stage; the defaults of `domain.md` when the file has no
    /// `validation:` section.
    public var validation: ValidationRules
    /// Columns of the in-file dedup key, after validation; empty turns dedup off.
    public var dedupKey: [String]
    /// Rules of the `screen` stage.
    public var screening: ScreeningRules
    /// How many rejected rows a run may have before it fails as a whole.
    public var errorBudget: ErrorBudget
    /// The file the spec was read from, for messages.
    public var path: String?

    public struct SourceSpec: Sendable, Hashable {
        /// Default input when `--input` is not given: `s3://bucket/key` or a path.
        public var input: String?
        /// `nil` (`format: auto`) detects the format from the object's first bytes.
        public var format: SourceFormat?
        /// For XLSX: a sheet name or 1-based index; `nil` reads the first visible sheet.
        public var sheet: String?
        /// `nil` detects the delimiter from the header line.
        public var delimiter: UInt8?
        public var encoding: TextEncoding
        public var maxRecordBytes: Int
        /// Limits of the XLSX reader; the defaults of `XLSXLimits` unless `source.xlsx` sets them.
        public var xlsxLimits = XLSXLimits()

        public var dialect: CSVDialect {
            CSVDialect(delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes)
        }

        public func decoderOptions(batchRows: Int) -> DecoderOptions {
            var options = DecoderOptions(format: format, dialect: dialect, sheet: sheet, batchRows: batchRows)
            options.xlsxLimits = xlsxLimits
            return options
        }
    }

    public static let defaultBatchSize = 16_384

    /// Reads and checks a pipeline file.
    public static func load(path: String) throws -> PipelineSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SluiceError(.invalidPipeline, "cannot read pipeline file", object: path, underlying: error)
        }
        return try parse(yaml: text, path: path)
    }

    /// Parses pipeline YAML. Errors name the file, and the line and column where YAML has one.
    public static func parse(yaml: String, path: String? = nil) throws -> PipelineSpec {
        let document: PipelineDocument
        do {
            document = try YAMLDecoder().decode(PipelineDocument.self, from: yaml)
        } catch let error as YamlError {
            throw SluiceError(.invalidPipeline, "invalid YAML: \(error)", object: path)
        } catch let error as DecodingError {
            throw SluiceError(.invalidPipeline, Self.describe(error), object: path)
        } catch {
            throw SluiceError(.invalidPipeline, "cannot decode pipeline: \(error)", object: path)
        }
        return try document.validated(path: path)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the document" : keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing key '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            // A YAML syntax error arrives here; its own description has the line and column.
            if let yaml = context.underlyingError as? YamlError { return "invalid YAML: \(yaml)" }
            return "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The YAML shape of a pipeline file, kept apart from the checked `PipelineSpec`.
struct PipelineDocument: Decodable {
    struct Source: Decodable {
        var input: String?
        var format: String?
        var sheet: ScalarText?
        var xlsx: XLSXLimitsDocument?
        var delimiter: String?
        var encoding: String?
        var max_record_bytes: Int?
    }

    /// `source.xlsx`: limits of the XLSX reader, for files larger or wider than the defaults allow.
    struct XLSXLimitsDocument: Decodable {
        var max_sheet_bytes: Int64?
        var max_compression_ratio: Int64?
        var max_columns: Int?
        var max_cell_characters: Int?
        var max_shared_string_bytes: Int?

        func limits() -> XLSXLimits {
            var limits = XLSXLimits()
            if let value = max_sheet_bytes { limits.maxSheetBytes = value }
            if let value = max_compression_ratio { limits.maxCompressionRatio = value }
            if let value = max_columns { limits.maxColumns = value }
            if let value = max_cell_characters { limits.maxCellCharacters = value }
            if let value = max_shared_string_bytes { limits.maxSharedStringBytes = value }
            return limits
        }

        var isValid: Bool {
            [max_sheet_bytes, max_compression_ratio, max_columns.map(Int64.init), max_cell_characters.map(Int64.init),
             max_shared_string_bytes.map(Int64.init)].allSatisfy { ($0 ?? 1) > 0 }
        }
    }

    struct Target: Decodable {
        var table: String
        var connections: Int?
        var keep_raw: Bool?
    }

    struct Column: Decodable {
        var name: String
        var aliases: [String]?
        var required: Bool?
    }

    var name: String
    var source: Source?
    var target: Target
    var batch_size: Int?
    var columns: [Column]
    var validation: ValidationRules?
    var dedup: Dedup?
    var screening: ScreeningRules?
    var error_budget: ErrorBudgetDocument?

    struct Dedup: Decodable {
        var enabled: Bool?
        /// One column name or a list.
        var key: KeyColumns?
    }

    struct KeyColumns: Decodable {
        var columns: [String]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                columns = [single]
            } else {
                columns = try container.decode([String].self)
            }
        }
    }

    struct ErrorBudgetDocument: Decodable {
        var max_rejected_ratio: Double?
        var max_rejected_rows: Int?
    }

    /// The default dedup key: IBAN, amount and external reference, those the pipeline has.
    static func defaultDedupKey(columns: [String]) -> [String] {
        let reference = ["external_id", "external_reference"].first(where: columns.contains)
        return (["iban", "amount"] + (reference.map { [$0] } ?? [])).filter(columns.contains)
    }

    func validated(path: String?) throws -> PipelineSpec {
        func invalid(_ reason: String) -> SluiceError { SluiceError(.invalidPipeline, reason, pipeline: name, object: path) }

        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw invalid("name must be letters, digits, - and _")
        }
        var format: SourceFormat?
        switch source?.format?.lowercased() {
        case nil, "auto": format = nil
        case let name?:
            guard let known = SourceFormat(rawValue: name) else { throw invalid("source.format '\(name)' must be auto, csv or xlsx") }
            format = known
        }
        // `sheet: 2` and `sheet: Data` are both natural in YAML; keep the text either way.
        let sheet = source?.sheet?.text
        var delimiter: UInt8?
        switch source?.delimiter {
        case nil, "auto": delimiter = nil
        case ",": delimiter = UInt8(ascii: ",")
        case ";": delimiter = UInt8(ascii: ";")
        case "\t", "tab", "\\t": delimiter = UInt8(ascii: "\t")
        case "|": delimiter = UInt8(ascii: "|")
        case let other?: throw invalid("source.delimiter '\(other)' must be one of auto , ; tab |")
        }
        var encoding = TextEncoding.utf8
        if let name = source?.encoding {
            guard let parsed = TextEncoding(name: name) else { throw invalid("source.encoding '\(name)' must be utf-8 or windows-1252") }
            encoding = parsed
        }
        let maxRecordBytes = source?.max_record_bytes ?? (1 << 20)
        guard maxRecordBytes >= 1024 else { throw invalid("source.max_record_bytes must be at least 1024") }
        let batchSize = batch_size ?? PipelineSpec.defaultBatchSize
        guard (1...1_000_000).contains(batchSize) else { throw invalid("batch_size must be between 1 and 1000000") }
        guard !columns.isEmpty else { throw invalid("columns must list at least one column") }
        var seen = Set<String>()
        let reserved: Set<String> = ["run_id", "source_line", "source_offset", "raw"]
        for column in columns {
            guard TableName.isIdentifier(column.name), column.name == column.name.lowercased() else {
                throw invalid("column name '\(column.name)' must be lower-case letters, digits and _")
            }
            guard !reserved.contains(column.name) else { throw invalid("column name '\(column.name)' is reserved") }
            guard seen.insert(column.name).inserted else { throw invalid("column '\(column.name)' is listed twice") }
        }
        let connections = target.connections ?? 2
        guard (1...8).contains(connections) else { throw invalid("target.connections must be between 1 and 8") }
        let table: TableName
        do { table = try TableName(target.table) } catch { throw invalid("target.table '\(target.table)' must be schema.table") }
        let columnNames = columns.map(\.name)
        var dedupKey = dedup?.key?.columns ?? Self.defaultDedupKey(columns: columnNames)
        if dedup?.enabled == false { dedupKey = [] }
        for column in dedupKey where !columnNames.contains(column) {
            throw invalid("dedup.key column '\(column)' is not one of the pipeline's columns")
        }
        if let xlsx = source?.xlsx, !xlsx.isValid { throw invalid("source.xlsx limits must be positive numbers") }
        let budget = ErrorBudget(maxRejectedRatio: error_budget?.max_rejected_ratio, maxRejectedRows: error_budget?.max_rejected_rows)
        if let ratio = budget.maxRejectedRatio, !(0...1).contains(ratio) {
            throw invalid("error_budget.max_rejected_ratio must be between 0 and 1 (0.05 = 5%)")
        }
        if let rows = budget.maxRejectedRows, rows < 0 { throw invalid("error_budget.max_rejected_rows must not be negative") }
        return PipelineSpec(
            name: name,
            source: .init(
                input: source?.input, format: format, sheet: sheet, delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes,
                xlsxLimits: source?.xlsx?.limits() ?? XLSXLimits()),
            target: table,
            sinkConnections: connections,
            keepRaw: target.keep_raw ?? true,
            batchSize: batchSize,
            columns: columns.map { ColumnSpec(name: $0.name, aliases: $0.aliases ?? [], required: $0.required ?? false) },
            validation: validation ?? ValidationRules(),
            dedupKey: dedupKey,
            screening: screening ?? ScreeningRules(),
            errorBudget: budget,
            path: path
        )
    }
}

/// A YAML scalar kept as text whether it was written as a number or a string (`sheet: 2`).
struct ScalarText: Decodable, Hashable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int.self) {
            text = String(int)
        } else {
            text = try container.decode(String.self)
        }
    }
}
