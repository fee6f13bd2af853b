import Yams

/// Where a value sits in a pipeline file, written as in messages: `error_budget.max_rejected_rows`,
/// `columns[2].name`.
struct SpecPath: Hashable, Sendable, CustomStringConvertible {
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    static let root = SpecPath()

    init(_ components: [Component] = []) {
        self.components = components
    }

    /// The path of a `DecodingError`'s coding path; Yams gives list items integer keys.
    init(codingPath: [any CodingKey]) {
        components = codingPath.map { key in key.intValue.map(Component.index) ?? .key(key.stringValue) }
    }

    var isRoot: Bool { components.isEmpty }

    func appending(_ key: String) -> SpecPath { SpecPath(components + [.key(key)]) }
    func appending(index: Int) -> SpecPath { SpecPath(components + [.index(index)]) }

    var description: String {
        guard !isRoot else { return "the pipeline file" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The node at this path under `root`, or `nil` when the file does not have it.
    func node(in root: Node) -> Node? {
        var node = root
        for component in components {
            switch (component, node) {
            case (.key(let key), .mapping(let mapping)):
                guard let value = mapping.mergedPairs.last(where: { $0.key.string == key })?.value else { return nil }
                node = value
            case (.index(let index), .sequence(let sequence)):
                guard sequence.indices.contains(index) else { return nil }
                node = sequence[index]
            default:
                return nil
            }
        }
        return node
    }

    /// Where the value at this path starts, or the nearest enclosing value the file has.
    func mark(in root: Node) -> Mark? {
        var path = self
        while true {
            if let mark = path.node(in: root)?.mark { return mark }
            guard !path.isRoot else { return nil }
            path.components.removeLast()
        }
    }
}

extension Node.Mapping {
    /// The mapping's pairs with YAML merge keys (`<<: *defaults`) expanded, merged pairs
    /// first, as Yams' decoder sees them: a later pair wins over an earlier one.
    var mergedPairs: [(key: Node, value: Node)] {
        var merged: [(key: Node, value: Node)] = []
        var own: [(key: Node, value: Node)] = []
        for pair in self {
            guard pair.key.isMergeKey else {
                own.append(pair)
                continue
            }
            switch pair.value {
            case .mapping(let mapping): merged += mapping.mergedPairs
            case .sequence(let sequence): merged += sequence.reversed().compactMap(\.mapping).flatMap(\.mergedPairs)
            default: own.append(pair)
            }
        }
        return merged + own
    }
}

extension Node {
    var isMergeKey: Bool { tag.rawValue == Tag.Name.merge.rawValue }
}
