import SluiceBilling
import SluiceCore
import SluiceFormats
import SluicePostgres
import SluiceValidation
import Yams

extension PipelineDocument {
    /// Sluice's own tables in schema `sluice` (`Migrator`): a pipeline that loaded into one
    /// would mix debtors into the runs, the blacklist or the billing attempts.
    /// `PipelineLintTests` holds this list to the migrations.
    static let sluiceTables: Set<String> = [
        "api_tokens", "attempt_events", "audit", "billing_attempts", "billing_runs", "billing_skips", "blacklist", "chargebacks",
        "debtor_profiles", "jobs", "notifications", "objects", "rejections", "run_checkpoints", "runs", "schema_migrations", "vop_budget",
        "vop_checks", "vop_results",
    ]

    /// The pieces of a checked file that the coherence checks look at.
    struct Checked {
        /// The columns, or `nil` when they have problems of their own.
        var columns: [ColumnSpec]?
        var rules: ValidationRules
        var table: TableName?
        var format: SourceFormat?
        var batchSize: Int
        var vop: VOPSpec?
        var billing: BillingSettings?
    }

    /// Settings that are each fine alone but do not work together, and names that one part
    /// of the file gives and another lacks.
    func coherenceProblems(of checked: Checked, in tree: PipelineTree) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        func report(_ message: String, at path: SpecPath, _ severity: SpecProblem.Severity = .error) {
            problems.append(tree.problem(message, at: path, severity: severity))
        }
        func written(_ path: SpecPath) -> Bool { path.node(in: tree.root).map { $0.null == nil } ?? false }
        let at = { (keys: String...) in SpecPath(keys.map(SpecPath.Component.key)) }

        if let table = checked.table, table.schema == "sluice", Self.sluiceTables.contains(table.name) {
            report("target.table: \(table) is one of Sluice's own tables; load into a table of your own, e.g. sluice.debtors", at: at("target", "table"))
        }
        if checked.batchSize < 100 {
            report("batch_size \(checked.batchSize) commits a transaction every \(checked.batchSize) rows, which is slow; 1000 or more is usual",
                   at: at("batch_size"), .warning)
        }
        switch checked.format {
        case .csv? where written(at("source", "sheet")):
            report("source.sheet is for XLSX workbooks; this pipeline reads CSV (source.format: csv)", at: at("source", "sheet"), .warning)
        case .xlsx?:
            for key in ["delimiter", "encoding"] where written(at("source", key)) {
                report("source.\(key) is for CSV files; this pipeline reads XLSX (source.format: xlsx)", at: at("source", key), .warning)
            }
        default: break
        }
        if dedup?.enabled == false, written(at("dedup", "key")) {
            report("dedup.key has no effect: dedup.enabled is false", at: at("dedup", "key"), .warning)
        }
        if screening?.enabled == false, written(at("screening", "checks")) || written(at("screening", "cooldown_days")) {
            report("screening is off (screening.enabled: false), so its checks and cooldown_days have no effect", at: at("screening", "enabled"), .warning)
        }
        if let columns = checked.columns {
            problems += aliasProblems(columns, in: tree)
            problems += validationProblems(columns, rules: checked.rules, in: tree)
        }
        if let billing = checked.billing {
            if written(at("billing", "currency")) || written(at("validation", "currencies")), !checked.rules.currencies.contains(billing.currency) {
                let place = written(at("billing", "currency")) ? at("billing", "currency") : at("validation", "currencies")
                report("billing.currency \(billing.currency) is not among validation.currencies (\(checked.rules.currencies.joined(separator: ", "))): "
                       + "no row in \(billing.currency) would be loaded to bill", at: place)
            }
            if billing_requires_vop, checked.vop == nil {
                let why = vop == nil ? "the pipeline has no vop: section" : "vop.enabled is false"
                report("billing.require_vop is true but \(why): every payee would be billed unverified", at: at("billing", "require_vop"))
            }
        }
        return problems
    }

    private var billing_requires_vop: Bool { billing?.require_vop ?? false }

    /// An alias that another column also lists, or that is another column's name: a header
    /// goes to the first column it matches, so the later one never gets it.
    private func aliasProblems(_ columns: [ColumnSpec], in tree: PipelineTree) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        var owner: [String: String] = [:]
        for column in columns { owner[HeaderNormalizer.normalize(column.name)] = column.name }
        for (index, column) in columns.enumerated() {
            for (aliasIndex, alias) in column.aliases.enumerated() {
                let key = HeaderNormalizer.normalize(alias)
                let path = SpecPath([.key("columns"), .index(index), .key("aliases"), .index(aliasIndex)])
                if let other = owner[key], other != column.name {
                    let first = columns.firstIndex { $0.name == other }.map { $0 < index } ?? false
                    let what = HeaderNormalizer.normalize(other) == key ? "is the name of column '\(other)'" : "is also an alias of column '\(other)'"
                    let winner = first ? "'\(other)', listed first" : "'\(column.name)', listed first"
                    problems.append(tree.problem("\(path): alias '\(alias)' \(what); a header '\(alias)' goes to \(winner)", at: path, severity: .warning))
                } else if owner[key] == nil {
                    owner[key] = column.name
                }
            }
        }
        return problems
    }

    /// Roles that name no column, encoding checks of columns the pipeline lacks, and roles on
    /// columns whose type cannot hold them.
    private func validationProblems(_ columns: [ColumnSpec], rules: ValidationRules, in tree: PipelineTree) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        let names = columns.map(\.name)
        for (role, column) in rules.columnNames.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !names.contains(column) {
            let path = SpecPath([.key("validation"), .key("columns"), .key(role.rawValue)])
            problems.append(tree.problem(
                "validation.columns.\(role.rawValue) names '\(column)', which is not one of the pipeline's columns"
                    + Self.suggestion(for: column, among: names), at: path))
        }
        let encodingPath = SpecPath([.key("validation"), .key("encoding_columns")])
        if encodingPath.node(in: tree.root) != nil {
            for (index, column) in rules.encodingColumns.enumerated() where !names.contains(column) {
                let path = encodingPath.appending(index: index)
                problems.append(tree.problem(
                    "\(path): '\(column)' is not one of the pipeline's columns, so it is never checked" + Self.suggestion(for: column, among: names),
                    at: path, severity: .warning))
            }
        }
        let requiredPath = SpecPath([.key("validation"), .key("required")])
        if case .sequence(let listed)? = requiredPath.node(in: tree.root) {
            for (index, item) in listed.enumerated() {
                guard let role = item.scalar.flatMap({ ValidationRole(rawValue: $0.string) }) else { continue }
                // A name is first and last name, or a full name split in two.
                let holders: [ValidationRole] = role == .name ? [.name, .firstName, .lastName] : [role]
                guard !holders.contains(where: { names.contains(rules.column(for: $0)) }) else { continue }
                let path = requiredPath.appending(index: index)
                problems.append(tree.problem(
                    "\(path): role '\(role.rawValue)' is required but the pipeline has no '\(rules.column(for: role))' column; "
                        + "add one, or name it with validation.columns.\(role.rawValue)", at: path, severity: .warning))
            }
        }
        for role in ValidationRole.allCases {
            let name = rules.column(for: role)
            guard let index = columns.firstIndex(where: { $0.name == name }) else { continue }
            let type = columns[index].type
            let fits = Self.types(for: role)
            guard !fits.contains(where: { $0 == type || ($0.isNumeric && type.isNumeric) }) else { continue }
            let mapped = SpecPath([.key("validation"), .key("columns"), .key(role.rawValue)])
            let path = rules.columnNames[role] != nil ? mapped : SpecPath([.key("columns"), .index(index), .key("type")])
            problems.append(tree.problem(
                "\(path): column '\(name)' is validated as \(role.rawValue), which a column of type \(type.declaration) cannot hold; "
                    + "\(role.rawValue) takes \(fits.map(\.declaration).joined(separator: " or "))", at: path))
        }
        return problems
    }

    /// The column types that can hold the values of `role`.
    static func types(for role: ValidationRole) -> [ColumnType] {
        switch role {
        case .iban: [.text, .iban]
        case .bic: [.text, .bic]
        case .amount: [.text, .numeric(precision: nil, scale: 0), .integer]
        case .email: [.text, .email]
        case .mandateDate, .birthDate: [.text, .date, .timestamp]
        case .currency, .firstName, .lastName, .name, .country, .creditorId: [.text]
        }
    }
}

extension ColumnType {
    fileprivate var isNumeric: Bool {
        if case .numeric = self { return true }
        return false
    }
}
