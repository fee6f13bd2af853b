import Foundation
import SluiceCore
import Yams

/// One mistake in a pipeline file, in plain words, with the file, line and column where it is.
public struct SpecProblem: Error, Hashable, Sendable {
    /// An error stops the pipeline from running; a warning is a setting that works but
    /// probably not as meant.
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    /// The key path of the value at fault.
    var path: SpecPath
    /// The whole message, key path included: `target.connections must be a whole number, found 'two'`.
    public var message: String
    public var severity: Severity
    /// The file the value at fault is written in: the pipeline file, or a file it includes;
    /// `nil` for YAML given as text.
    public var file: String?
    /// 1-based, as editors count.
    public var line: Int?
    public var column: Int?

    init(_ message: String, at path: SpecPath, line: Int?, column: Int?, severity: Severity = .error, file: String? = nil) {
        self.path = path
        self.message = message
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
    }

    init(_ message: String, at path: SpecPath, mark: Mark?, severity: Severity = .error, file: String? = nil) {
        self.init(message, at: path, line: mark?.line, column: mark?.column, severity: severity, file: file)
    }

    /// The key path as messages write it: `target.connections`; empty for the whole file.
    public var key: String { path.isRoot ? "" : path.description }

    /// A problem located by looking `path` up in the file's `root` node.
    init(_ message: String, at path: SpecPath, in root: Node?) {
        self.init(message, at: path, mark: root.flatMap { path.mark(in: $0) })
    }

    /// The error `PipelineSpec` throws: the file as its object, line and column as its location.
    func error(file: String?, pipeline: String? = nil) -> SluiceError {
        SluiceError(
            .invalidPipeline, message, pipeline: pipeline, object: self.file ?? file, line: line.map(Int64.init), column: column.map(String.init))
    }

    /// The line `sluice lint` prints, as compilers write them so editors jump to the place:
    /// `pipelines/debtors.yaml:15:3: error: unknown key 'target.keep_rwa'; did you mean 'keep_raw'?`.
    public var lintLine: String {
        var place = file ?? "<pipeline>"
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return "\(place): \(severity.rawValue): \(message)"
    }
}

extension SpecProblem {
    /// Words for a YAML syntax error, keeping its line and column.
    init(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, let yaml), .parser(let context, let problem, let mark, let yaml),
            .composer(let context, let problem, let mark, let yaml):
            if Self.character(at: mark, in: yaml) == "\t" {
                self.init("invalid YAML: a tab indents this line; YAML indents with spaces", at: .root, mark: mark)
                return
            }
            // The context says where the construct that failed began, when that is elsewhere.
            var during = ""
            if let context, context.mark.line != mark.line || context.mark.column != mark.column {
                during = " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            self.init("invalid YAML: \(problem)\(during)", at: .root, mark: mark)
        case .reader(let problem, let offset, _, let yaml):
            let location = offset.flatMap { Self.location(ofCharacter: $0, in: yaml) }
            self.init("invalid YAML: \(problem)", at: .root, line: location?.line, column: location?.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self.init("key \(keys) appears twice in the same section (first here)", at: .root, mark: context.mark.line > 0 ? context.mark : nil)
        default:
            self.init("invalid YAML: \(error)", at: .root, mark: nil)
        }
    }

    /// Words for an error of the decoder, which the schema check should have caught first.
    init(_ error: DecodingError, in root: Node) {
        switch error {
        case .keyNotFound(let key, let context):
            let path = SpecPath(codingPath: context.codingPath)
            self.init("missing key '\(key.stringValue)'" + (path.isRoot ? "" : " in \(path)"), at: path, in: root)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let path = SpecPath(codingPath: context.codingPath)
            let found = path.node(in: root).map(PipelineSchema.describe) ?? "nothing"
            self.init("\(path) must be \(Self.noun(for: type)), found \(found)", at: path, in: root)
        case .dataCorrupted(let context):
            if let yaml = context.underlyingError as? YamlError {
                self.init(yaml)
            } else {
                let path = SpecPath(codingPath: context.codingPath)
                self.init("\(path): \(context.debugDescription)", at: path, in: root)
            }
        @unknown default:
            self.init("\(error)", at: .root, mark: nil)
        }
    }

    /// "a whole number" for `Int`: what the decoder expected, in the words of the schema.
    static func noun(for type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: PipelineSchema.wholeNumber.noun
        case is Double.Type: PipelineSchema.number.noun
        case is Bool.Type: PipelineSchema.boolean.noun
        case is String.Type, is Node.Scalar.Type: PipelineSchema.text.noun
        case is Node.Mapping.Type: "a set of keys"
        case is Node.Sequence.Type: "a list"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "\(type)"
        }
    }

    /// The character at a 1-based line and column (counted in scalars, as libyaml does).
    static func character(at mark: Mark, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count, mark.column >= 1 else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        return mark.column <= scalars.count ? scalars[mark.column - 1] : nil
    }

    /// Line and column of the `offset`-th character, as libyaml's reader counts them.
    static func location(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int)? {
        guard let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else { return nil }
        let before = text[..<index]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: "\n").map(before.index(after:)) ?? before.startIndex
        return (line, before[lineStart...].unicodeScalars.count + 1)
    }
}
