import Foundation
import SluiceCore
import Yams

/// Reads a pipeline file into a `PipelineTree`: composes its YAML, replaces `${VAR}` from the
/// environment, and merges in the files it includes, collecting every problem on the way.
struct PipelineSource {
    var environment: [String: String]
    /// What could not be read, composed or interpolated, in the order met.
    var problems: [SpecProblem] = []

    /// How deep includes may nest: a file including a file including a file…
    static let maxIncludeDepth = 8

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// The tree of the file at `path`; `nil` when there is none (the problems say why).
    mutating func tree(path: String) -> PipelineTree? {
        guard let yaml = read(path, at: nil) else { return nil }
        return tree(yaml: yaml, file: path)
    }

    /// The tree of `yaml`; `file` names it in problems, and its includes are found beside it
    /// (in the working directory when `file` is `nil`).
    mutating func tree(yaml: String, file: String?) -> PipelineTree? {
        tree(yaml: yaml, file: file, including: [])
    }

    /// - Parameter chain: the files that include this one, outermost first, as absolute paths.
    private mutating func tree(yaml: String, file: String?, including chain: [String]) -> PipelineTree? {
        let node: Node?
        do {
            // The resolver of `YAMLDecoder`: plain scalars stay text until a type is asked for.
            node = try compose(yaml: yaml, Resolver.basic.appending(.merge))
        } catch let error as YamlError {
            var problem = SpecProblem(error)
            problem.file = file
            problems.append(problem)
            return nil
        } catch {
            problems.append(SpecProblem("invalid YAML: \(error)", at: .root, mark: nil, file: file))
            return nil
        }
        guard let node else {
            // An empty included file adds nothing; an empty pipeline file is a mistake.
            if chain.isEmpty { problems.append(SpecProblem("the pipeline file is empty", at: .root, mark: nil, file: file)) }
            return chain.isEmpty ? nil : PipelineTree(root: .mapping(Node.Mapping([])), file: file)
        }
        var written: [SpecPath: PipelineTree.Written] = [:]
        let root = EnvironmentInterpolation(environment: environment)
            .interpolate(node, text: yaml, file: file, problems: &problems, written: &written)
        var tree = PipelineTree(root: root, file: file)
        tree.written = written
        let includePath = SpecPath([.key("include")])
        guard let include = includePath.node(in: root) else {
            if !chain.isEmpty { checkIncluded(tree) }
            return tree
        }
        var own = tree
        own.root = root.removing(includePath)
        own.written = written.filter { !$0.key.hasPrefix(includePath) }
        if !chain.isEmpty { checkIncluded(own) }
        var base: PipelineTree?
        for (path, value) in includes(include, in: tree) {
            guard let included = self.included(value.scalar?.string ?? "", at: path, in: tree, chain: chain) else { continue }
            base = base.map { PipelineTree.merging(included, onto: $0) } ?? included
        }
        return base.map { PipelineTree.merging(own, onto: $0) } ?? own
    }

    /// An included file's own mistakes: unknown keys and values of the wrong kind. It need not
    /// be a whole pipeline, so no key is required of it.
    private mutating func checkIncluded(_ tree: PipelineTree) {
        guard case .mapping = tree.root else { return }
        problems += PipelineDocument.schema.withoutRequiredKeys.problems(in: tree.root).map { problem in
            var problem = tree.located(problem)
            problem.message = tree.hidingInterpolatedValues(problem.message)
            return problem
        }
    }

    /// The paths `include:` lists, each with its place: one path or a list of them.
    private mutating func includes(_ node: Node, in tree: PipelineTree) -> [(SpecPath, Node)] {
        let path = SpecPath([.key("include")])
        let found: [(SpecPath, Node)]
        switch node {
        case .scalar where node.null != nil: return []
        case .scalar: found = [(path, node)]
        case .sequence(let items): found = items.enumerated().map { (path.appending(index: $0.offset), $0.element) }
        default: found = [(path, node)]
        }
        return found.filter { path, value in
            guard let text = value.scalar?.string, value.null == nil, !text.isEmpty else {
                problems.append(tree.problem("\(path) must be a file path or a list of them, found \(PipelineSchema.describe(value))", at: path))
                return false
            }
            return true
        }
    }

    /// The tree of the file that `tree` includes at `path`, which it names `name`.
    private mutating func included(_ name: String, at path: SpecPath, in tree: PipelineTree, chain: [String]) -> PipelineTree? {
        let directory = tree.mainFile.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        let file = name.hasPrefix("/") || directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let including = chain + [tree.mainFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? ""]
        if including.contains(absolute) {
            let cycle = (including.filter { !$0.isEmpty } + [absolute]).map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")
            problems.append(tree.problem("\(path): including \(name) again makes a cycle (\(cycle))", at: path))
            return nil
        }
        guard including.count <= Self.maxIncludeDepth else {
            problems.append(tree.problem("\(path): includes nest more than \(Self.maxIncludeDepth) deep", at: path))
            return nil
        }
        guard let yaml = read(file, at: (path, tree)) else { return nil }
        guard let included = self.tree(yaml: yaml, file: file, including: including) else { return nil }
        guard case .mapping = included.root else {
            problems.append(included.problem("an included file must be a set of keys, as a pipeline file is; found \(PipelineSchema.describe(included.root))",
                                             at: .root))
            return nil
        }
        return included
    }

    /// The text of the file at `path`, or `nil` with the problem recorded: at the `include:`
    /// that names it, when `place` gives one.
    private mutating func read(_ path: String, at place: (path: SpecPath, tree: PipelineTree)?) -> String? {
        do {
            return try PipelineFile.text(of: try PipelineFile.read(path: path), path: path)
        } catch let error as SluiceError {
            if let (key, tree) = place {
                var reason = error.reason.replacingOccurrences(of: "pipeline file", with: "included file")
                if let line = error.line { reason += " (\(path), line \(line)" + (error.column.map { ", column \($0)" } ?? "") + ")" }
                problems.append(tree.problem("\(key): \(reason)", at: key))
            } else {
                problems.append(SpecProblem(error.reason, at: .root, line: error.line.map(Int.init), column: error.column.flatMap { Int($0) }, file: path))
            }
            return nil
        } catch {
            problems.append(SpecProblem("cannot read \(path): \(PipelineFile.reason(error))", at: .root, mark: nil, file: path))
            return nil
        }
    }
}
