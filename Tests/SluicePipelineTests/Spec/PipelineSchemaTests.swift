import SluiceBilling
import SluiceCore
import Testing
import Yams

@testable import SluicePipeline
@testable import SluiceStages
@testable import SluiceValidation
import SluiceVOP

/// The schema that refuses unknown keys and the `Decodable` types that read the known ones
/// must list the same keys: a key only the decoder knows could never be used, and a key only
/// the schema knows would be silently ignored again.
struct PipelineSchemaTests {
    /// Every section of the schema, with the `CodingKeys` of the type that decodes it.
    static let sections: [(path: [String], codingKeys: [String])] = [
        ([], PipelineDocument.CodingKeys.allCases.map(\.stringValue)),
        (["source"], PipelineDocument.Source.CodingKeys.allCases.map(\.stringValue)),
        (["source", "xlsx"], PipelineDocument.XLSXLimitsDocument.CodingKeys.allCases.map(\.stringValue)),
        (["target"], PipelineDocument.Target.CodingKeys.allCases.map(\.stringValue)),
        (["columns"], PipelineDocument.Column.CodingKeys.allCases.map(\.stringValue)),
        (["validation"], ValidationRules.CodingKeys.allCases.map(\.stringValue)),
        (["validation", "amount"], ValidationRules.AmountRules.CodingKeys.allCases.map(\.stringValue)),
        (["dedup"], PipelineDocument.Dedup.CodingKeys.allCases.map(\.stringValue)),
        (["screening"], ScreeningRules.CodingKeys.allCases.map(\.stringValue)),
        (["error_budget"], PipelineDocument.ErrorBudgetDocument.CodingKeys.allCases.map(\.stringValue)),
        (["watch"], PipelineDocument.Watch.CodingKeys.allCases.map(\.stringValue)),
        (["vop"], PipelineDocument.VOPDocument.CodingKeys.allCases.map(\.stringValue)),
        (["vop", "breaker"], PipelineDocument.VOPDocument.Breaker.CodingKeys.allCases.map(\.stringValue)),
        (["vop", "policy"], VOPPolicy.CodingKeys.allCases.map(\.stringValue)),
        (["billing"], PipelineDocument.BillingDocument.CodingKeys.allCases.map(\.stringValue)),
        (["billing", "breaker"], PipelineDocument.BillingDocument.Breaker.CodingKeys.allCases.map(\.stringValue)),
    ]

    @Test(arguments: sections.map { ($0.path.joined(separator: "."), $0.codingKeys) })
    func eachSectionAllowsExactlyTheKeysItsDecoderReads(section: String, codingKeys: [String]) throws {
        let path = section.isEmpty ? [] : section.split(separator: ".").map(String.init)
        let schema = try #require(PipelineDocument.schema.schema(at: path))
        #expect(Set(schema.keys) == Set(codingKeys))
        #expect(schema.keys.count == codingKeys.count, "no key listed twice")
    }

    @Test func everySectionOfTheSchemaIsHeldToADecoder() {
        #expect(Self.sectionPaths(of: PipelineDocument.schema).sorted() == Self.sections.map { $0.path.joined(separator: ".") }.sorted())
    }

    /// A file with every key the schema allows, each set away from its default.
    static let everyKey = """
        name: every-key
        source:
          input: s3://bucket/key.csv
          format: csv
          sheet: 2
          xlsx:
            max_sheet_bytes: 1000000
            max_compression_ratio: 300
            max_columns: 200
            max_cell_characters: 1000
            max_shared_string_bytes: 2000000
          delimiter: ;
          encoding: windows-1252
          max_record_bytes: 4096
        target:
          table: sales.debtors
          connections: 3
          keep_raw: false
        batch_size: 500
        columns:
          - name: iban
            aliases: [iban_number]
            required: true
            type: iban
          - name: amount
          - name: full_name
          - name: given
          - name: family
          - name: kind
        validation:
          columns: {name: full_name}
          required: [iban, amount]
          amount: {min: 1, max: 100, ambiguous_separator: thousands}
          currencies: [EUR, CHF]
          name_max_length: 30
          full_name_max_length: 60
          name_scripts: [latin, cyrillic]
          date_formats: [Y-m-d]
          mandate_date_not_in_future: false
          sepa_only: false
          national_check_digits: false
          fill_country_from_iban: false
          encoding_columns: [full_name]
          characters: reject
        dedup:
          enabled: true
          key: [iban, amount]
        screening:
          enabled: false
          cooldown_days: 7
          checks: [iban_blacklist, cooldown]
        error_budget:
          max_rejected_ratio: 0.1
          max_rejected_rows: 50
        watch:
          - bucket: drops
            prefix: incoming/
            glob: "*.csv"
        vop:
          enabled: true
          max_in_flight: 16
          rate_per_second: 50
          burst: 5
          sampling_percent: 25
          daily_budget: 1000
          cache_ttl_days: 7
          cache_not_possible_hours: 12
          account_type: company
          account_type_column: kind
          iban_column: iban
          name_column: full_name
          first_name_column: given
          last_name_column: family
          max_pause_seconds: 60
          policy: {close_match: accept, no_match: flag, not_possible: accept, unavailable: pause}
          breaker: {window: 10, min_calls: 5, failure_rate: 0.25, cool_down_seconds: 2, max_cool_down_seconds: 60, probes: 2}
        billing:
          enabled: true
          terminal: term-1
          notification_url: https://example.com/webhooks/genesis/abc
          usage: "Invoice {external_id}"
          currency: eur
          rate_per_second: 25
          max_in_flight: 4
          rows: all
          start: manual
          timeout_seconds: 10
          max_sale_requests: 2
          columns: {first_name: given, last_name: family}
          breaker: {window: 20, min_calls: 5, failure_rate: 0.3, cool_down_seconds: 3}
          require_vop: true
        include: []
        """

    @Test func everyKeyTheSchemaAllowsIsDecoded() throws {
        let root = try #require(try compose(yaml: Self.everyKey))
        #expect(Set(Self.keyPaths(in: root)) == Set(Self.keyPaths(of: PipelineDocument.schema)), "the sample uses every key")
        let spec = try PipelineSpec.parse(yaml: Self.everyKey)
        #expect(spec.source.input == "s3://bucket/key.csv")
        #expect(spec.source.format == .csv)
        #expect(spec.source.sheet == "2")
        #expect(spec.source.xlsxLimits.maxSheetBytes == 1_000_000)
        #expect(spec.source.xlsxLimits.maxCompressionRatio == 300)
        #expect(spec.source.xlsxLimits.maxColumns == 200)
        #expect(spec.source.xlsxLimits.maxCellCharacters == 1000)
        #expect(spec.source.xlsxLimits.maxSharedStringBytes == 2_000_000)
        #expect(spec.source.delimiter == UInt8(ascii: ";"))
        #expect(spec.source.encoding != .utf8)
        #expect(spec.source.maxRecordBytes == 4096)
        #expect(spec.target.description == "sales.debtors")
        #expect(spec.sinkConnections == 3)
        #expect(!spec.keepRaw)
        #expect(spec.batchSize == 500)
        #expect(spec.columns.first == ColumnSpec(name: "iban", aliases: ["iban_number"], required: true, type: .iban))
        let rules = spec.validation
        #expect(rules.columnNames[.name] == "full_name")
        #expect(rules.required == [.iban, .amount])
        #expect(rules.minimumAmountCents == 100 && rules.maximumAmountCents == 10_000 && rules.ambiguousSeparator == .thousands)
        #expect(rules.currencies == ["EUR", "CHF"])
        #expect(rules.nameMaxLength == 30 && rules.fullNameMaxLength == 60)
        #expect(rules.nameScripts == [.latin, .cyrillic])
        #expect(rules.dateFormats.count == 1)
        #expect(!rules.mandateDateNotInFuture && !rules.sepaOnly && !rules.nationalCheckDigits && !rules.fillCountryFromIBAN)
        #expect(rules.encodingColumns == ["full_name"])
        #expect(rules.nameCharacters == .reject)
        #expect(spec.dedupKey == ["iban", "amount"])
        #expect(spec.screening == ScreeningRules(enabled: false, cooldownDays: 7, checks: [.ibanBlacklist, .cooldown]))
        #expect(spec.errorBudget == ErrorBudget(maxRejectedRatio: 0.1, maxRejectedRows: 50))
        #expect(spec.watch == [WatchRule(bucket: "drops", prefix: "incoming/", glob: "*.csv")])
        let vop = try #require(spec.vop)
        #expect(vop.dailyBudget == 1000)
        #expect(vop.stage.maxCallsInFlight == 16 && vop.stage.ratePerSecond == 50 && vop.stage.burst == 5)
        #expect(vop.stage.samplingPercentage == 25 && vop.stage.cacheTTL == .seconds(7 * 86_400))
        #expect(vop.stage.notPossibleTTL == .seconds(12 * 3600))
        #expect(vop.stage.accountType == .company && vop.stage.accountTypeColumn == "kind")
        #expect(vop.stage.nameColumns == .firstAndLast(first: "given", last: "family", fallback: "full_name"))
        #expect(vop.stage.maxPause == .seconds(60))
        #expect(vop.stage.policy == VOPPolicy(closeMatch: .accept, noMatch: .flag, notPossible: .accept, unavailable: .pause))
        #expect(vop.stage.breaker == CircuitBreakerConfiguration(
            windowSize: 10, minimumCalls: 5, failureThreshold: 0.25, coolDown: .seconds(2), maxCoolDown: .seconds(60), probeCalls: 2))
        let billing = try #require(spec.billing)
        #expect(billing.terminal == "term-1" && billing.notificationURL == "https://example.com/webhooks/genesis/abc")
        #expect(billing.usage == "Invoice {external_id}" && billing.currency == "EUR" && billing.ratePerSecond == 25 && billing.maxInFlight == 4)
        #expect(billing.billFlaggedRows && !billing.startOnCompletion && billing.timeoutSeconds == 10 && billing.maxSaleRequests == 2)
        #expect(billing.columns.firstName == "given" && billing.columns.lastName == "family" && billing.columns.iban == "iban")
        #expect(billing.breakerWindow == 20 && billing.breakerMinimumCalls == 5 && billing.breakerFailureRatio == 0.3 && billing.breakerCoolDownSeconds == 3)
    }

    /// The keys the schema requires are the ones the spec cannot do without; a file missing
    /// one has that one error, and the rest of it is still checked (the decoder takes it).
    @Test func requiredKeysAreTheOnesTheSpecNeeds() throws {
        let minimal = "name: demo\ntarget: {table: s.t}\ncolumns: [{name: iban}]"
        let root = try #require(try compose(yaml: minimal))
        #expect(PipelineDocument.schema.problems(in: root).isEmpty)
        _ = try YAMLDecoder().decode(PipelineDocument.self, from: root)
        let required = Self.requiredPaths(of: PipelineDocument.schema)
        #expect(required.sorted() == ["billing.terminal", "columns", "columns[].name", "name", "target", "target.table", "watch[].bucket"])
        // `watch[].bucket` and `billing.terminal` are required inside optional sections the
        // minimal file does not have (WatchRuleTests and the billing spec test cover them).
        for path in required where !path.hasPrefix("watch") && !path.hasPrefix("billing") {
            let without = try #require(Self.removing(path.split(separator: ".").map(String.init), from: root))
            #expect(PipelineDocument.schema.problems(in: without).first?.message.hasPrefix("missing key") == true, "\(path)")
            let lint = PipelineSpec.lint(yaml: try Yams.serialize(node: without), environment: [:])
            #expect(lint.errors.count == 1 && lint.errors.first?.message.hasPrefix("missing key") == true, "\(path): \(lint.problems)")
            #expect(lint.spec == nil, "\(path)")
        }
    }

    @Test(arguments: [
        ("max_rejected_row", ["max_rejected_ratio", "max_rejected_rows"], "max_rejected_rows"),
        ("keep_rwa", ["table", "connections", "keep_raw"], "keep_raw"),
        ("KEEP_RAW", ["table", "connections", "keep_raw"], "keep_raw"),
        ("cooldown", ["enabled", "cooldown_days", "checks"], "cooldown_days"),
        ("colour", ["name", "source", "target"], nil),
        ("key", ["enabled", "key"], "key"),
        ("kye", ["enabled", "key"], "key"),
        ("ky", ["enabled", "key"], "key"),
        ("x", ["enabled", "key"], nil),
    ] as [(String, [String], String?)])
    func suggestionsAreCloseMatchesOnly(typed: String, candidates: [String], expected: String?) {
        #expect(Spelling.suggestion(for: typed, among: candidates) == expected)
    }

    // MARK: - Walking the schema and the YAML

    static func sectionPaths(of schema: PipelineSchema, at path: String = "") -> [String] {
        switch schema {
        case .section(let fields):
            [path] + fields.flatMap { sectionPaths(of: $0.schema, at: path.isEmpty ? $0.key : "\(path).\($0.key)") }
        case .list(let element), .oneOrList(let element): sectionPaths(of: element, at: path)
        default: []
        }
    }

    /// `source.xlsx.max_columns`, `columns[].name`; the keys of a `keyedBy` mapping are data.
    static func keyPaths(of schema: PipelineSchema, at path: String = "") -> [String] {
        switch schema {
        case .section(let fields):
            fields.flatMap { field in
                let key = path.isEmpty ? field.key : "\(path).\(field.key)"
                return [key] + keyPaths(of: field.schema, at: key)
            }
        case .list(let element), .oneOrList(let element): keyPaths(of: element, at: "\(path)[]")
        default: []
        }
    }

    static func keyPaths(in node: Node, at path: String = "", inside schema: PipelineSchema = PipelineDocument.schema) -> [String] {
        switch (node, schema) {
        case (.mapping(let mapping), .section(let fields)):
            mapping.flatMap { pair -> [String] in
                let key = pair.key.string ?? "?"
                let full = path.isEmpty ? key : "\(path).\(key)"
                let inner = fields.first { $0.key == key }?.schema ?? .text
                return [full] + keyPaths(in: pair.value, at: full, inside: inner)
            }
        case (.sequence(let sequence), .list(let element)), (.sequence(let sequence), .oneOrList(let element)):
            sequence.flatMap { keyPaths(in: $0, at: "\(path)[]", inside: element) }
        default: []
        }
    }

    static func requiredPaths(of schema: PipelineSchema, at path: String = "") -> [String] {
        switch schema {
        case .section(let fields):
            fields.flatMap { field in
                let key = path.isEmpty ? field.key : "\(path).\(field.key)"
                return (field.isRequired ? [key] : []) + requiredPaths(of: field.schema, at: key)
            }
        case .list(let element): requiredPaths(of: element, at: "\(path)[]")
        default: []
        }
    }

    /// `root` without the key at `path` ("columns[]" reaches into the first list item).
    static func removing(_ path: [String], from root: Node) -> Node? {
        guard let first = path.first else { return nil }
        let listed = first.hasSuffix("[]")
        let key = listed ? String(first.dropLast(2)) : first
        guard case .mapping(var mapping) = root, let value = mapping[key] else { return nil }
        if path.count == 1 {
            mapping[key] = nil
        } else if listed {
            guard case .sequence(var sequence) = value, let item = sequence.first,
                let changed = removing(Array(path.dropFirst()), from: item)
            else { return nil }
            sequence[0] = changed
            mapping[key] = .sequence(sequence)
        } else {
            guard let changed = removing(Array(path.dropFirst()), from: value) else { return nil }
            mapping[key] = changed
        }
        return .mapping(mapping)
    }
}
