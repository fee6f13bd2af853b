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
        var type: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, aliases, required, type
        }
    }

    // `name`, `target` and `columns` are required by the schema; they are optional here so that
    // a file missing one still has its other sections checked.
    var name: String?
    var source: Source?
    var target: Target?
    var batch_size: Int?
    var columns: [Column]?
    var validation: ValidationRules?
    var dedup: Dedup?
    var screening: ScreeningRules?
    var error_budget: ErrorBudgetDocument?
    var watch: [Watch]?
    var vop: VOPDocument?
    var billing: BillingDocument?
    /// Merged in before decoding (`PipelineTree.merging`); listed so the schema and the decoder agree.
    var include: TextList?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, source, target, batch_size, columns, validation, dedup, screening, error_budget, watch, vop, billing, include
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
        var key: TextList?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, key
        }
    }

    /// One text value or a list of them: `key: iban`, `key: [iban, amount]`.
    struct TextList: Decodable {
        var items: [String]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                items = [single]
            } else {
                items = try container.decode([String].self)
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

    /// Checks the values the schema cannot: ranges, names, formats, and the columns that
    /// other sections name. Every problem is added to `problems`, placed by `tree`, and the
    /// check goes on with a default in place of a bad value, so one pass finds them all.
    ///
    /// Table and column names are folded to lower case, as PostgreSQL folds unquoted names,
    /// and so are the column names that `dedup.key` and `validation` refer to.
    ///
    /// - Returns: the spec, or `nil` when the file lacks a section the spec needs (the schema
    ///   check has said so). The caller discards it when `problems` has an error.
    func checked(in tree: PipelineTree, problems: inout [SpecProblem]) -> PipelineSpec? {
        func invalid(_ reason: String, at key: SpecPath) { problems.append(tree.problem(reason, at: key)) }
        func at(_ keys: String...) -> SpecPath { SpecPath(keys.map(SpecPath.Component.key)) }
        // Names other sections give are held to the columns only when the columns themselves
        // decoded whole: otherwise one mistake would be reported again at every use.
        let columnsComplete = columns != nil && !problems.contains { $0.path.hasPrefix(at("columns")) }

        if let name, name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            invalid("name must be letters, digits, - and _", at: at("name"))
        }
        var format: SourceFormat?
        switch source?.format?.lowercased() {
        case nil, "auto": format = nil
        case let name?:
            if let known = SourceFormat(rawValue: name) {
                format = known
            } else {
                invalid("source.format '\(name)' must be auto, csv or xlsx" + Self.suggestion(for: name, among: ["auto", "csv", "xlsx"]),
                        at: at("source", "format"))
            }
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
        case let other?:
            invalid("source.delimiter '\(other)' must be one of auto , ; tab |" + Self.suggestion(for: other, among: ["auto", "tab"]),
                    at: at("source", "delimiter"))
        }
        var encoding = TextEncoding.utf8
        if let name = source?.encoding {
            if let parsed = TextEncoding(name: name) {
                encoding = parsed
            } else {
                invalid("source.encoding '\(name)' must be utf-8 or windows-1252" + Self.suggestion(for: name, among: ["utf-8", "windows-1252", "latin1"]),
                        at: at("source", "encoding"))
            }
        }
        let maxRecordBytes = source?.max_record_bytes ?? (1 << 20)
        if maxRecordBytes < 1024 { invalid("source.max_record_bytes must be at least 1024", at: at("source", "max_record_bytes")) }
        if let xlsx = source?.xlsx, !xlsx.isValid { invalid("source.xlsx limits must be positive numbers", at: at("source", "xlsx")) }
        let batchSize = batch_size ?? PipelineSpec.defaultBatchSize
        if !(1...1_000_000).contains(batchSize) { invalid("batch_size must be between 1 and 1000000", at: at("batch_size")) }

        var columnSpecs: [ColumnSpec] = []
        if let columns {
            if columns.isEmpty { invalid("columns must list at least one column", at: at("columns")) }
            columnSpecs = checkedColumns(columns, invalid: invalid)
        }
        let columnNames = columnSpecs.map(\.name)

        var table: TableName?
        var connections = 2
        if let target {
            connections = target.connections ?? 2
            if !(1...8).contains(connections) { invalid("target.connections must be between 1 and 8", at: at("target", "connections")) }
            do {
                table = try TableName(target.table)
            } catch {
                let reason = (error as? SluiceError)?.reason ?? "\(error)"
                invalid("target.table: \(reason)", at: at("target", "table"))
            }
        }

        var dedupKey = dedup?.key?.items.map { $0.lowercased() } ?? Self.defaultDedupKey(columns: columnNames)
        if dedup?.enabled == false { dedupKey = [] }
        if columnsComplete {
            for column in dedupKey where !columnNames.contains(column) {
                invalid("dedup.key column '\(column)' is not one of the pipeline's columns" + Self.suggestion(for: column, among: columnNames),
                        at: at("dedup", "key"))
            }
        }
        let budget = ErrorBudget(maxRejectedRatio: error_budget?.max_rejected_ratio, maxRejectedRows: error_budget?.max_rejected_rows)
        if let ratio = budget.maxRejectedRatio, !(0...1).contains(ratio) {
            invalid("error_budget.max_rejected_ratio must be between 0 and 1 (0.05 = 5%)", at: at("error_budget", "max_rejected_ratio"))
        }
        if let rows = budget.maxRejectedRows, rows < 0 {
            invalid("error_budget.max_rejected_rows must not be negative", at: at("error_budget", "max_rejected_rows"))
        }
        var watchRules: [WatchRule] = []
        for (index, entry) in (watch ?? []).enumerated() {
            let key = SpecPath([.key("watch"), .index(index)])
            guard S3URL.isBucketName(entry.bucket) else {
                invalid("\(key).bucket '\(entry.bucket)' is not an S3 bucket name", at: key.appending("bucket"))
                continue
            }
            if let glob = entry.glob, glob.isEmpty || glob.hasPrefix("/") {
                invalid("\(key).glob must be a pattern for the key after the prefix, e.g. \"*.csv\"", at: key.appending("glob"))
                continue
            }
            let rule = WatchRule(bucket: entry.bucket, prefix: entry.prefix ?? "", glob: entry.glob)
            guard !watchRules.contains(rule) else {
                invalid("\(key) repeats \(rule.description)", at: key)
                continue
            }
            watchRules.append(rule)
        }
        let knownColumns = columnsComplete ? columnNames : nil
        let vopSpec = vop?.spec(columns: knownColumns) { reason, keys in
            invalid(reason, at: SpecPath([.key("vop")] + keys.map(SpecPath.Component.key)))
        }
        let billingSettings = billing?.settings(columns: knownColumns) { reason, keys in
            invalid(reason, at: SpecPath([.key("billing")] + keys.map(SpecPath.Component.key)))
        }
        var rules = validation ?? ValidationRules()
        rules.columnNames = rules.columnNames.mapValues { $0.lowercased() }
        rules.encodingColumns = rules.encodingColumns.map { $0.lowercased() }

        problems += coherenceProblems(
            of: Checked(columns: columnsComplete ? columnSpecs : nil, rules: rules, table: table, format: format, batchSize: batchSize, vop: vopSpec,
                        billing: billingSettings),
            in: tree)

        guard let name, let table, columns != nil else { return nil }
        return PipelineSpec(
            name: name,
            source: .init(
                input: source?.input, format: format, sheet: sheet, delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes,
                xlsxLimits: source?.xlsx?.limits() ?? XLSXLimits()),
            target: table,
            sinkConnections: connections,
            keepRaw: target?.keep_raw ?? true,
            batchSize: batchSize,
            columns: columnSpecs,
            validation: rules,
            dedupKey: dedupKey,
            screening: screening ?? ScreeningRules(),
            errorBudget: budget,
            watch: watchRules,
            vop: vopSpec,
            billing: billingSettings,
            path: tree.mainFile
        )
    }

    /// The columns, checked: names PostgreSQL takes, none reserved or listed twice, known types.
    private func checkedColumns(_ columns: [Column], invalid: (String, SpecPath) -> Void) -> [ColumnSpec] {
        let reserved: Set<String> = ["run_id", "source_line", "source_offset", "raw"]
        var specs: [ColumnSpec] = []
        for (index, column) in columns.enumerated() {
            let path = SpecPath([.key("columns"), .index(index)])
            let key = path.appending("name")
            if let problem = TableName.identifierProblem(column.name, kind: "column name") { invalid("\(key): \(problem)", key) }
            let name = column.name.lowercased()
            if reserved.contains(name) { invalid("\(key): column name '\(name)' is reserved", key) }
            guard !specs.contains(where: { $0.name == name }) else {
                invalid("\(key): column '\(name)' is listed twice", key)
                continue
            }
            var type = ColumnType.text
            if let declared = column.type {
                if let parsed = ColumnType(declaration: declared) {
                    type = parsed
                } else {
                    let typeKey = path.appending("type")
                    invalid("\(typeKey): \(Self.typeProblem(declared))", typeKey)
                }
            }
            specs.append(ColumnSpec(name: name, aliases: column.aliases ?? [], required: column.required ?? false, type: type))
        }
        return specs
    }

    /// Why `declared` is not a column type, with the type probably meant.
    static func typeProblem(_ declared: String) -> String {
        let text = declared.lowercased().filter { $0 != " " }
        let base = String(text.prefix { $0 != "(" })
        let arguments = String(text.dropFirst(base.count))
        if ["numeric", "decimal"].contains(base), arguments.hasPrefix("("), arguments.hasSuffix(")") {
            return "'\(declared)': numeric(p,s) takes a precision p of 1 to 1000 and a scale s of 0 to p, e.g. numeric(12,2)"
        }
        let bases = ["text", "integer", "numeric", "date", "timestamp", "boolean", "iban", "bic", "email"]
        if let suggestion = Spelling.suggestion(for: base, among: bases) {
            let meant = suggestion == "numeric" && arguments.hasPrefix("(") ? suggestion + arguments : suggestion
            return "'\(declared)' is not a column type; did you mean '\(meant)'?"
        }
        return "'\(declared)' is not a column type; types are \(ColumnType.names.joined(separator: ", "))"
    }

    /// "; did you mean 'xlsx'?" when one of `candidates` is close to `typed`, else nothing.
    static func suggestion(for typed: String, among candidates: [String]) -> String {
        Spelling.suggestion(for: typed, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
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
