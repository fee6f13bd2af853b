import Foundation
import Yams

/// A pipeline file's composed YAML once its includes are merged in and its `${VAR}` replaced,
/// with the file each value was written in: a problem is reported in the file and at the line
/// where the value at fault stands, whichever file that is.
struct PipelineTree {
    var root: Node
    /// The pipeline file; `nil` for YAML given as text.
    var mainFile: String?
    /// The file of the values at and under a path, where it is not the file of the enclosing
    /// value: the longest recorded prefix of a path says where its value was written.
    var origins: [SpecPath: String] = [:]
    /// The values that `${VAR}` gave, by path, with the text written in the file: messages
    /// show `${VAR}`, never what it stood for (it may be a secret).
    var written: [SpecPath: Written] = [:]

    struct Written: Hashable, Sendable {
        var value: String
        var text: String
    }

    init(root: Node, file: String?) {
        self.root = root
        self.mainFile = file
        if let file { origins[.root] = file }
    }

    /// The file the value at `path` was written in.
    func file(at path: SpecPath) -> String? {
        var path = path
        while true {
            if let file = origins[path] { return file }
            guard !path.isRoot else { return mainFile }
            path.components.removeLast()
        }
    }

    /// A problem of the value at `path`, placed at that value or the nearest enclosing value
    /// the file has.
    func problem(_ message: String, at path: SpecPath, severity: SpecProblem.Severity = .error) -> SpecProblem {
        var place = path
        while true {
            if let mark = place.node(in: root)?.mark {
                return SpecProblem(message, at: path, mark: mark, severity: severity, file: file(at: place))
            }
            guard !place.isRoot else { return SpecProblem(message, at: path, mark: nil, severity: severity, file: mainFile) }
            place.components.removeLast()
        }
    }

    /// `problem` with its file, when it was placed without one (by the schema check, which
    /// knows only the tree).
    func located(_ problem: SpecProblem) -> SpecProblem {
        guard problem.file == nil else { return problem }
        var problem = problem
        problem.file = file(at: problem.path)
        return problem
    }

    /// `message` with each value that a variable gave, quoted as messages quote values
    /// (`found '…'`), replaced by the text written in the file: `found '${CONNECTIONS}'`.
    func hidingInterpolatedValues(_ message: String) -> String {
        var message = message
        for written in written.values where !written.value.isEmpty {
            for shown in Set([written.value, PipelineSchema.describe(.scalar(Node.Scalar(written.value)))
                .trimmingCharacters(in: CharacterSet(charactersIn: "'"))]) where shown.count > 0 {
                message = message.replacingOccurrences(of: "'\(shown)'", with: "'\(written.text)'")
            }
        }
        return message
    }

    /// Records that the value now at `target` is the one `tree` has at `source`, with the
    /// files of everything under it.
    mutating func record(_ tree: PipelineTree, from source: SpecPath, to target: SpecPath) {
        func moved(_ path: SpecPath) -> SpecPath { SpecPath(target.components + path.components.dropFirst(source.components.count)) }
        origins = origins.filter { !$0.key.hasPrefix(target) }
        if let file = tree.file(at: source) { origins[target] = file }
        for (path, file) in tree.origins where path.components.count > source.components.count && path.hasPrefix(source) {
            origins[moved(path)] = file
        }
        written = written.filter { !$0.key.hasPrefix(target) }
        for (path, value) in tree.written where path.hasPrefix(source) {
            written[moved(path)] = value
        }
    }
}

extension SpecPath {
    func hasPrefix(_ other: SpecPath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    /// The path of the key to drop so that the value at this path is gone: list items go with
    /// their whole list, so that no index after them moves. `nil` for the whole file.
    var prunable: SpecPath? {
        var path = self
        while case .index = path.components.last { path.components.removeLast() }
        return path.isRoot ? nil : path
    }
}

extension Node {
    /// This node without the key at `path` and its value (`path` ends with a key); the
    /// mappings on the way have their merge keys (`<<: *defaults`) expanded.
    func removing(_ path: SpecPath) -> Node {
        removing(path.components[...])
    }

    private func removing(_ components: ArraySlice<SpecPath.Component>) -> Node {
        guard let first = components.first else { return self }
        let rest = components.dropFirst()
        switch (first, self) {
        case (.key(let key), .mapping(let mapping)):
            var pairs = mapping.mergedPairs.map { ($0.key, $0.value) }
            if rest.isEmpty {
                pairs.removeAll { $0.0.scalar?.string == key }
            } else {
                pairs = pairs.map { $0.0.scalar?.string == key ? ($0.0, $0.1.removing(rest)) : $0 }
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case (.index(let index), .sequence(let sequence)):
            var nodes = Array(sequence)
            guard nodes.indices.contains(index) else { return self }
            nodes[index] = nodes[index].removing(rest)
            return .sequence(Node.Sequence(nodes, sequence.tag, sequence.style, sequence.mark))
        default:
            return self
        }
    }
}
