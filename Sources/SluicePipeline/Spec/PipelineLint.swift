import Foundation
import SluiceCore
import Yams

/// Every problem of one pipeline file, errors and warnings, and the spec when there is no
/// error: what `sluice lint` prints and `sluice run` refuses a file for.
public struct PipelineLint: Sendable {
    /// The file checked; `nil` for YAML given as text.
    public let file: String?
    /// In the order found: the YAML and its includes, the shape of the file, then its values.
    public let problems: [SpecProblem]
    /// The checked pipeline; `nil` when there is an error.
    public let spec: PipelineSpec?
    /// The pipeline's `name:`, when the file has one that reads as text.
    public let pipeline: String?

    public var errors: [SpecProblem] { problems.filter { $0.severity == .error } }
    public var warnings: [SpecProblem] { problems.filter { $0.severity == .warning } }

    /// The problems as editors list them: the pipeline file first, then included files, each
    /// by line and column.
    public var problemsInFileOrder: [SpecProblem] {
        problems.enumerated().sorted { a, b in
            func key(_ problem: SpecProblem) -> (Int, String, Int, Int) {
                (problem.file == file ? 0 : 1, problem.file ?? "", problem.line ?? 0, problem.column ?? 0)
            }
            let (left, right) = (key(a.element), key(b.element))
            return left != right ? left < right : a.offset < b.offset
        }.map(\.element)
    }

    /// The error `PipelineSpec.parse` throws: the first error found, with its file, line and
    /// column; when there are several, its reason lists them all as `sluice lint` prints them.
    public var error: SluiceError? {
        let errors = errors
        guard let first = errors.first else { return nil }
        var error = first.error(file: file, pipeline: pipeline)
        if errors.count > 1 {
            let listed = problemsInFileOrder.filter { $0.severity == .error }
            error.reason = "\(errors.count) errors:\n" + listed.map { "  " + $0.lintLine }.joined(separator: "\n")
        }
        return error
    }

    /// The spec, or the error that says why there is none.
    func checkedSpec() throws -> PipelineSpec {
        if let error { throw error }
        guard let spec else { throw SluiceError(.internalError, "the pipeline was checked but not built", object: file) }
        return spec
    }

    /// Checks `tree`, which `problems` were found composing.
    init(file: String?, tree: PipelineTree?, problems found: [SpecProblem]) {
        self.file = file
        var problems = found
        guard let tree else {
            (self.problems, spec, pipeline) = (problems, nil, nil)
            return
        }
        pipeline = SpecPath([.key("name")]).node(in: tree.root)?.scalar?.string
        // The merged tree's values from included files were held to the schema with their
        // file (`PipelineSource.checkIncluded`); only what the pipeline file adds is new here.
        let shapeProblems = PipelineDocument.schema.problems(in: tree.root).map(tree.located)
        problems += shapeProblems.filter { $0.file == tree.mainFile || $0.message.hasPrefix("missing key") || $0.message.hasSuffix(" is empty") }
        let document = Self.decode(tree, cutting: shapeProblems + found, problems: &problems)
        let spec = document?.checked(in: tree, problems: &problems)
        // A value whose `${VAR}` could not be replaced was said to be wrong once, there.
        let unresolved = found.map(\.path).filter { !$0.isRoot }
        problems = found + problems.dropFirst(found.count).filter { problem in !unresolved.contains { problem.path.hasPrefix($0) } }
        self.problems = problems.map { problem in
            var problem = tree.located(problem)
            problem.message = tree.hidingInterpolatedValues(problem.message)
            return problem
        }
        self.spec = self.problems.contains { $0.severity == .error } ? nil : spec
    }

    /// The document, decoded from `tree` without the values that have problems; each value
    /// that still does not decode is reported and cut away in turn, so one bad value leaves the
    /// rest of the file checked.
    private static func decode(_ tree: PipelineTree, cutting bad: [SpecProblem], problems: inout [SpecProblem]) -> PipelineDocument? {
        var root = tree.root
        for problem in bad {
            if let path = problem.path.prunable { root = root.removing(path) }
        }
        // Each round cuts one key away, so this ends; the bound is for safety only.
        for _ in 0..<256 {
            do {
                return try YAMLDecoder().decode(PipelineDocument.self, from: root)
            } catch let error as DecodingError {
                let problem = tree.located(SpecProblem(error, in: tree.root))
                // A key the schema already found at fault, or cut away, is not said twice.
                if !problems.contains(where: { $0.path.hasPrefix(problem.path) }) { problems.append(problem) }
                guard let path = problem.path.prunable else { return nil }
                root = root.removing(path)
            } catch {
                problems.append(tree.problem("the pipeline file cannot be read: \(error)", at: .root))
                return nil
            }
        }
        return nil
    }
}
