import Foundation
import Yams

extension PipelineSchema {
    /// The mistakes in `node`: unknown keys, missing keys and values of the wrong kind, each
    /// with its line and column. Empty when the file fits the schema.
    ///
    /// A section's own mistakes come in file order, then the keys it is missing, so a typo
    /// (`tabel:`) is reported before the key it hides (`missing key 'table'`).
    func problems(in node: Node, at path: SpecPath = .root) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        check(node, at: path, into: &problems)
        return problems
    }

    private func check(_ node: Node, at path: SpecPath, into problems: inout [SpecProblem]) {
        func mismatch() {
            problems.append(SpecProblem("\(path) must be \(noun), found \(Self.describe(node))", at: path, mark: node.mark))
        }
        // The same constructors Yams' decoder uses, so the check and the decoder agree.
        switch self {
        case .text:
            guard case .scalar = node else { return mismatch() }
        case .wholeNumber:
            guard let scalar = node.scalar, Int64.construct(from: scalar) != nil else { return mismatch() }
        case .number:
            guard let scalar = node.scalar, Double.construct(from: scalar) != nil else { return mismatch() }
        case .boolean:
            guard let scalar = node.scalar, Bool.construct(from: scalar) != nil else { return mismatch() }
        case .word(let words, let noun):
            guard let scalar = node.scalar else { return mismatch() }
            guard !words.contains(scalar.string) else { return }
            let message = "\(path): \(Self.describe(node)) is not a \(noun)" + Self.hint(for: scalar.string, among: words, noun: "\(noun)s are")
            problems.append(SpecProblem(message, at: path, mark: node.mark))
        case .list(let element):
            guard case .sequence(let sequence) = node else { return mismatch() }
            for (index, item) in sequence.enumerated() {
                element.check(item, at: path.appending(index: index), into: &problems)
            }
        case .oneOrList(let element):
            switch node {
            case .sequence: PipelineSchema.list(element).check(node, at: path, into: &problems)
            case .scalar: element.check(node, at: path, into: &problems)
            default: mismatch()
            }
        case .section(let fields):
            guard case .mapping(let mapping) = node else { return mismatch() }
            var present = Set<String>()
            for (keyNode, value) in mapping.mergedPairs {
                let key = keyNode.scalar?.string ?? Self.describe(keyNode)
                guard let field = fields.first(where: { $0.key == key }) else {
                    let takes = path.isRoot ? "a pipeline file takes" : "\(path) takes"
                    let message = "unknown key '\(path.appending(key))'" + Self.hint(for: key, among: fields.map(\.key), noun: takes)
                    problems.append(SpecProblem(message, at: path.appending(key), mark: keyNode.mark))
                    continue
                }
                present.insert(key)
                // An empty value is as good as a missing key for the decoder: it takes the default.
                if value.null != nil {
                    if field.isRequired { problems.append(SpecProblem("\(path.appending(key)) is empty", at: path.appending(key), mark: value.mark ?? keyNode.mark)) }
                    continue
                }
                field.schema.check(value, at: path.appending(key), into: &problems)
            }
            for field in fields where field.isRequired && !present.contains(field.key) {
                problems.append(SpecProblem("missing key '\(field.key)'" + (path.isRoot ? "" : " in \(path)"), at: path, mark: node.mark))
            }
        case .keyedBy(let keys, let noun, let valueSchema):
            guard case .mapping(let mapping) = node else { return mismatch() }
            for (keyNode, value) in mapping.mergedPairs {
                let key = keyNode.scalar?.string ?? Self.describe(keyNode)
                guard keys.contains(key) else {
                    let message = "unknown \(noun) '\(key)' in \(path)" + Self.hint(for: key, among: keys, noun: "\(noun)s are")
                    problems.append(SpecProblem(message, at: path.appending(key), mark: keyNode.mark))
                    continue
                }
                if value.null == nil { valueSchema.check(value, at: path.appending(key), into: &problems) }
            }
        }
    }

    /// "; did you mean 'max_rejected_rows'?" when a candidate is close, otherwise the list:
    /// "; error_budget takes max_rejected_ratio, max_rejected_rows".
    static func hint(for typed: String, among candidates: [String], noun: String) -> String {
        if let suggestion = Spelling.suggestion(for: typed, among: candidates) { return "; did you mean '\(suggestion)'?" }
        return "; \(noun) \(candidates.joined(separator: ", "))"
    }
}
