import Foundation
import Yams

/// The shape of a pipeline file: the keys each section allows and the kind of value each key
/// takes. `PipelineDocument.schema` describes the whole file; `check(_:)` holds a composed YAML
/// tree against it before anything is decoded, so that no key is ever silently ignored.
indirect enum PipelineSchema: Sendable {
    /// Any single value, kept as text (`table: sluice.debtors`, `sheet: 2`).
    case text
    /// An integer: `16384`, `16_384`.
    case wholeNumber
    case number
    /// `true` or `false` (YAML 1.1 also reads yes/no and on/off).
    case boolean
    /// One of a fixed set of words; `noun` names one of them in messages ("check").
    case word([String], noun: String)
    case list(PipelineSchema)
    /// One value or a list of them: `key: iban` or `key: [iban, amount]`.
    case oneOrList(PipelineSchema)
    /// A section with fixed keys.
    case section([Field])
    /// A mapping whose keys come from a fixed set, all with values of one kind:
    /// `validation.columns` maps roles to column names.
    case keyedBy([String], noun: String, value: PipelineSchema)

    /// A key of a section.
    struct Field: Sendable {
        var key: String
        var schema: PipelineSchema
        var isRequired: Bool

        static func required(_ key: String, _ schema: PipelineSchema) -> Field {
            Field(key: key, schema: schema, isRequired: true)
        }

        static func optional(_ key: String, _ schema: PipelineSchema) -> Field {
            Field(key: key, schema: schema, isRequired: false)
        }
    }

    /// What a value must be, in the words of a message: "target.connections must be a whole number".
    var noun: String {
        switch self {
        case .text: "text"
        case .wholeNumber: "a whole number"
        case .number: "a number"
        case .boolean: "true or false"
        case .word(let words, let noun): "a \(noun) (\(words.joined(separator: ", ")))"
        case .list(.section), .list(.keyedBy), .list(.list): "a list"
        case .list(let element): "a list of \(element.pluralNoun)"
        case .oneOrList(let element): "\(element.noun) or a list of \(element.pluralNoun)"
        case .section(let fields): "a set of keys (\(fields.map(\.key).joined(separator: ", ")))"
        case .keyedBy(_, let noun, _): "a set of \(noun) keys"
        }
    }

    private var pluralNoun: String {
        switch self {
        case .text: "text values"
        case .wholeNumber: "whole numbers"
        case .number: "numbers"
        case .boolean: "true or false values"
        case .word(let words, let noun): "\(noun)s (\(words.joined(separator: ", ")))"
        case .list, .oneOrList: "lists"
        case .section(let fields): "sets of keys (\(fields.map(\.key).joined(separator: ", ")))"
        case .keyedBy(_, let noun, _): "sets of \(noun) keys"
        }
    }

    /// The keys of a section, or of each section of a list, in the order the schema lists
    /// them; empty for other kinds.
    var keys: [String] {
        switch self {
        case .section(let fields): fields.map(\.key)
        case .list(let element): element.keys
        default: []
        }
    }

    /// The same shape with every key optional: what an included file is held to.
    var withoutRequiredKeys: PipelineSchema {
        switch self {
        case .list(let element): .list(element.withoutRequiredKeys)
        case .oneOrList(let element): .oneOrList(element.withoutRequiredKeys)
        case .section(let fields): .section(fields.map { .optional($0.key, $0.schema.withoutRequiredKeys) })
        case .keyedBy(let keys, let noun, let value): .keyedBy(keys, noun: noun, value: value.withoutRequiredKeys)
        default: self
        }
    }

    /// The schema of the value at `path` (`["source", "xlsx"]`), looking through lists.
    func schema(at path: [String]) -> PipelineSchema? {
        guard let key = path.first else { return self }
        switch self {
        case .section(let fields): return fields.first { $0.key == key }?.schema.schema(at: Array(path.dropFirst()))
        case .list(let element), .oneOrList(let element): return element.schema(at: path)
        default: return nil
        }
    }

    /// A found value, for "…, found 'two'": scalars quoted and cut to 40 characters.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if node.null != nil { return "nothing" }
            let text = scalar.string
            return "'" + (text.count > 40 ? String(text.prefix(36)) + "…" : text) + "'"
        case .mapping: return "a set of keys"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
