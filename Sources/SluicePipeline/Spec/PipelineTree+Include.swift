import Yams

/// `include:`: a pipeline file built on others (a team's shared columns and aliases, its
/// validation defaults). The merge rules, documented in `docs/pipelines.md` ("Including other
/// files"):
///
/// - the including file wins over what it includes, and of several included files a later one
///   wins over an earlier one;
/// - sections (sets of keys) merge key by key, at every depth;
/// - `columns` merge by `name` (ignoring case): when the including file lists columns, the
///   pipeline has exactly those, in its order, each merged key by key onto the included column
///   of the same name, with `aliases` the union (its own first); when it lists none, it has
///   the included columns;
/// - every other list and every single value is replaced whole; a key left empty (`key:` or
///   `key: ~`) takes Sluice's default again.
extension PipelineTree {
    /// `over` merged onto `base`; the result is `over`'s file.
    static func merging(_ over: PipelineTree, onto base: PipelineTree) -> PipelineTree {
        var merged = PipelineTree(root: over.root, file: over.mainFile)
        merged.origins = [:]
        merged.root = merged.merge(base.root, from: base, at: .root, over.root, from: over, at: .root, to: .root)
        return merged
    }

    /// Merges the value `base` has at `basePath` with the one `over` has at `overPath`, for
    /// `target` in this tree, and records where each part of the result came from.
    private mutating func merge(
        _ baseNode: Node, from base: PipelineTree, at basePath: SpecPath,
        _ overNode: Node, from over: PipelineTree, at overPath: SpecPath, to target: SpecPath
    ) -> Node {
        switch (baseNode, overNode) {
        case (.mapping(let baseMapping), .mapping(let overMapping)):
            record(over, from: overPath, to: target)
            let basePairs = Self.uniquePairs(baseMapping), overPairs = Self.uniquePairs(overMapping)
            var pairs: [(Node, Node)] = []
            for (key, value) in basePairs {
                let name = key.scalar?.string ?? ""
                guard let (overKey, overValue) = overPairs.first(where: { $0.0.scalar?.string == name }) else {
                    record(base, from: basePath.appending(name), to: target.appending(name))
                    pairs.append((key, value))
                    continue
                }
                let (path, fromBase, fromOver) = (target.appending(name), basePath.appending(name), overPath.appending(name))
                let merged: Node
                switch (name, target.components.count, value, overValue) {
                case ("columns", 0, .sequence(let baseColumns), .sequence(let overColumns)):
                    merged = mergeColumns(baseColumns, from: base, at: fromBase, overColumns, from: over, at: fromOver, to: path)
                case ("aliases", 2, .sequence(let baseAliases), .sequence(let overAliases)) where target.components.first == .key("columns"):
                    merged = combine(baseAliases, from: base, at: fromBase, overAliases, from: over, at: fromOver, to: path)
                default:
                    merged = merge(value, from: base, at: fromBase, overValue, from: over, at: fromOver, to: path)
                }
                pairs.append((overKey, merged))
            }
            for (key, value) in overPairs where !basePairs.contains(where: { $0.0.scalar?.string == key.scalar?.string }) {
                let name = key.scalar?.string ?? ""
                record(over, from: overPath.appending(name), to: target.appending(name))
                pairs.append((key, value))
            }
            return .mapping(Node.Mapping(pairs, overMapping.tag, overMapping.style, overMapping.mark))
        default:
            record(over, from: overPath, to: target)
            return overNode
        }
    }

    /// `columns`: the including file's columns, in its order, each merged onto the included
    /// column of the same name (ignoring case) when there is one.
    private mutating func mergeColumns(
        _ baseColumns: Node.Sequence, from base: PipelineTree, at basePath: SpecPath,
        _ overColumns: Node.Sequence, from over: PipelineTree, at overPath: SpecPath, to target: SpecPath
    ) -> Node {
        record(over, from: overPath, to: target)
        func name(_ column: Node) -> String? { SpecPath([.key("name")]).node(in: column)?.scalar?.string.lowercased() }
        var columns: [Node] = []
        for (index, column) in overColumns.enumerated() {
            guard let key = name(column), let baseIndex = baseColumns.firstIndex(where: { name($0) == key }) else {
                columns.append(column)
                continue
            }
            columns.append(merge(baseColumns[baseIndex], from: base, at: basePath.appending(index: baseIndex),
                                 column, from: over, at: overPath.appending(index: index), to: target.appending(index: index)))
        }
        return .sequence(Node.Sequence(columns, overColumns.tag, overColumns.style, overColumns.mark))
    }

    /// A column's `aliases`: the including file's, then the included ones it does not have.
    private mutating func combine(
        _ baseItems: Node.Sequence, from base: PipelineTree, at basePath: SpecPath,
        _ overItems: Node.Sequence, from over: PipelineTree, at overPath: SpecPath, to target: SpecPath
    ) -> Node {
        record(over, from: overPath, to: target)
        var items = Array(overItems)
        for (index, item) in baseItems.enumerated() where !overItems.contains(where: { $0.scalar?.string == item.scalar?.string }) {
            record(base, from: basePath.appending(index: index), to: target.appending(index: items.count))
            items.append(item)
        }
        return .sequence(Node.Sequence(items, overItems.tag, overItems.style, overItems.mark))
    }

    /// A mapping's pairs with merge keys expanded and each key once, with its last value, where it first stood.
    private static func uniquePairs(_ mapping: Node.Mapping) -> [(Node, Node)] {
        var pairs: [(Node, Node)] = []
        for pair in mapping.mergedPairs {
            if let index = pairs.firstIndex(where: { $0.0.scalar?.string == pair.key.scalar?.string }) {
                pairs[index] = (pairs[index].0, pair.value)
            } else {
                pairs.append((pair.key, pair.value))
            }
        }
        return pairs
    }
}
