import SluiceBilling
import SluiceCore
import SluiceFormats
import SluicePostgres
import SluiceS3
import SluiceStages
import SluiceValidation
import Yams

/// The YAML shape of a pipeline file, kept apart from the checked `PipelineSpec`.
///
/// Every section spells out its `CodingKeys`: `PipelineDocument.schema` must list exactly
/// these keys, and `PipelineSchemaTests` holds the two together.
struct PipelineDocument: Decodable {
    struct Source: Decodable {
        var input: String?
        var format: String?
        var sheet: ScalarText?
        var xlsx: XLSXLimitsDocument?
        var delimiter: String?
        var encoding: String?
        var max_record_bytes: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case input, format, sheet, xlsx, delimiter, encoding, max_record_bytes
        }
    }

    /// `source.xlsx`: limits of the XLSX reader, for files larger or wider than the defaults allow.
    struct XLSXLimitsDocument: Decodable {
        var max_sheet_bytes: Int64?
        var max_compression_ratio: Int64?
        var max_columns: Int?
        var max_cell_characters: Int?
        var max_shared_string_bytes: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case max_sheet_bytes, max_compression_ratio, max_columns, max_cell_characters, max_shared_string_bytes
        }

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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case table, connections, keep_raw
        }
    }

    struct Column: Decodable {
        var name: String
        var aliases: [String]?
        var required: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, aliases, required
        }
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
    var watch: [Watch]?
    var vop: VOPDocument?
    var billing: BillingDocument?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, source, target, batch_size, columns, validation, dedup, screening, error_budget, watch, vop, billing
    }

    struct Watch: Decodable {
        var bucket: String
        var prefix: String?
        var glob: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case bucket, prefix, glob
        }
    }

    struct Dedup: Decodable {
        var enabled: Bool?
        /// One column name or a list.
        var key: KeyColumns?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, key
        }
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case max_rejected_ratio, max_rejected_rows
        }
    }

    /// The default dedup key: IBAN, amount and external reference, those the pipeline has.
    static func defaultDedupKey(columns: [String]) -> [String] {
        let reference = ["external_id", "external_reference"].first(where: columns.contains)
        return (["iban", "amount"] + (reference.map { [$0] } ?? [])).filter(columns.contains)
    }

    /// Checks the values the schema cannot: ranges, names, formats.
    ///
    /// Table and column names are folded to lower case, as PostgreSQL folds unquoted names,
    /// and so are the column names that `dedup.key` and `validation` refer to.
    ///
    /// - Parameters:
    ///   - path: the file, for messages.
    ///   - root: the composed YAML, to give each message its line and column.
    func validated(path: String?, root: Node? = nil) throws -> PipelineSpec {
        func invalid(_ reason: String, at key: SpecPath) -> SluiceError {
            SpecProblem(reason, at: key, in: root).error(file: path, pipeline: name)
        }
        func at(_ keys: String...) -> SpecPath { SpecPath(keys.map(SpecPath.Component.key)) }

        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw invalid("name must be letters, digits, - and _", at: at("name"))
        }
        var format: SourceFormat?
        switch source?.format?.lowercased() {
        case nil, "auto": format = nil
        case let name?:
            guard let known = SourceFormat(rawValue: name) else {
                throw invalid("source.format '\(name)' must be auto, csv or xlsx", at: at("source", "format"))
            }
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
        case let other?: throw invalid("source.delimiter '\(other)' must be one of auto , ; tab |", at: at("source", "delimiter"))
        }
        var encoding = TextEncoding.utf8
        if let name = source?.encoding {
            guard let parsed = TextEncoding(name: name) else {
                throw invalid("source.encoding '\(name)' must be utf-8 or windows-1252", at: at("source", "encoding"))
            }
            encoding = parsed
        }
        let maxRecordBytes = source?.max_record_bytes ?? (1 << 20)
        guard maxRecordBytes >= 1024 else { throw invalid("source.max_record_bytes must be at least 1024", at: at("source", "max_record_bytes")) }
        let batchSize = batch_size ?? PipelineSpec.defaultBatchSize
        guard (1...1_000_000).contains(batchSize) else { throw invalid("batch_size must be between 1 and 1000000", at: at("batch_size")) }
        guard !columns.isEmpty else { throw invalid("columns must list at least one column", at: at("columns")) }
        var seen = Set<String>()
        let reserved: Set<String> = ["run_id", "source_line", "source_offset", "raw"]
        var columnSpecs: [ColumnSpec] = []
        for (index, column) in columns.enumerated() {
            let key = SpecPath([.key("columns"), .index(index), .key("name")])
            if let problem = TableName.identifierProblem(column.name, kind: "column name") { throw invalid("\(key): \(problem)", at: key) }
            let name = column.name.lowercased()
            guard !reserved.contains(name) else { throw invalid("\(key): column name '\(name)' is reserved", at: key) }
            guard seen.insert(name).inserted else { throw invalid("\(key): column '\(name)' is listed twice", at: key) }
            columnSpecs.append(ColumnSpec(name: name, aliases: column.aliases ?? [], required: column.required ?? false))
        }
        let connections = target.connections ?? 2
        guard (1...8).contains(connections) else { throw invalid("target.connections must be between 1 and 8", at: at("target", "connections")) }
        let table: TableName
        do {
            table = try TableName(target.table)
        } catch {
            let reason = (error as? SluiceError)?.reason ?? "\(error)"
            throw invalid("target.table: \(reason)", at: at("target", "table"))
        }
        let columnNames = columnSpecs.map(\.name)
        var dedupKey = dedup?.key?.columns.map { $0.lowercased() } ?? Self.defaultDedupKey(columns: columnNames)
        if dedup?.enabled == false { dedupKey = [] }
        for column in dedupKey where !columnNames.contains(column) {
            throw invalid("dedup.key column '\(column)' is not one of the pipeline's columns", at: at("dedup", "key"))
        }
        if let xlsx = source?.xlsx, !xlsx.isValid { throw invalid("source.xlsx limits must be positive numbers", at: at("source", "xlsx")) }
        let budget = ErrorBudget(maxRejectedRatio: error_budget?.max_rejected_ratio, maxRejectedRows: error_budget?.max_rejected_rows)
        if let ratio = budget.maxRejectedRatio, !(0...1).contains(ratio) {
            throw invalid("error_budget.max_rejected_ratio must be between 0 and 1 (0.05 = 5%)", at: at("error_budget", "max_rejected_ratio"))
        }
        if let rows = budget.maxRejectedRows, rows < 0 {
            throw invalid("error_budget.max_rejected_rows must not be negative", at: at("error_budget", "max_rejected_rows"))
        }
        var watchRules: [WatchRule] = []
        for (index, entry) in (watch ?? []).enumerated() {
            let key = SpecPath([.key("watch"), .index(index)])
            guard S3URL.isBucketName(entry.bucket) else {
                throw invalid("\(key).bucket '\(entry.bucket)' is not an S3 bucket name", at: SpecPath(key.components + [.key("bucket")]))
            }
            if let glob = entry.glob, glob.isEmpty || glob.hasPrefix("/") {
                throw invalid("\(key).glob must be a pattern for the key after the prefix, e.g. \"*.csv\"", at: SpecPath(key.components + [.key("glob")]))
            }
            let rule = WatchRule(bucket: entry.bucket, prefix: entry.prefix ?? "", glob: entry.glob)
            guard !watchRules.contains(rule) else { throw invalid("\(key) repeats \(rule.description)", at: key) }
            watchRules.append(rule)
        }
        let vopSpec = try vop?.spec(columns: columnNames) { reason, keys in
            invalid(reason, at: SpecPath(([.key("vop")] + keys.map(SpecPath.Component.key))))
        }
        let billingSettings = try billing?.settings(columns: columnNames) { reason, keys in
            invalid(reason, at: SpecPath(([.key("billing")] + keys.map(SpecPath.Component.key))))
        }
        var rules = validation ?? ValidationRules()
        rules.columnNames = rules.columnNames.mapValues { $0.lowercased() }
        rules.encodingColumns = rules.encodingColumns.map { $0.lowercased() }
        return PipelineSpec(
            name: name,
            source: .init(
                input: source?.input, format: format, sheet: sheet, delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes,
                xlsxLimits: source?.xlsx?.limits() ?? XLSXLimits()),
            target: table,
            sinkConnections: connections,
            keepRaw: target.keep_raw ?? true,
            batchSize: batchSize,
            columns: columnSpecs,
            validation: rules,
            dedupKey: dedupKey,
            screening: screening ?? ScreeningRules(),
            errorBudget: budget,
            watch: watchRules,
            vop: vopSpec,
            billing: billingSettings,
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
