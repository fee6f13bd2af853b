import Yams

/// `${NAME}` and `${NAME:-default}` in the values of a pipeline file, read from the environment.
///
/// Only values are interpolated, never keys, and after the YAML is composed, so a value can
/// never change the file's structure and every value keeps its line and column. `$$` writes
/// a literal `$`; a `$` before anything but `{` or `$` is kept as it is. A variable that is
/// unset and has no default is an error; `${NAME:-default}` takes the default when `NAME` is
/// unset or empty. A value that was only `${NAME:-}` and comes out empty is as good as an
/// empty key: Sluice's default. A value with a variable is read as its key's type whether it
/// was quoted or not: quote it inside `{…}` and `[…]`, where `}` and `]` would end the section.
///
/// Credentials (`SLUICE_GENESIS_PASSWORD`, `SLUICE_VOP_API_KEY`, any `*_PASSWORD`, `*_TOKEN`,
/// …) are refused: Sluice reads them from the environment itself, and pipeline values end up
/// in logs, messages and the runs table.
struct EnvironmentInterpolation {
    /// One problem of a value, at the `$` that starts it (in Unicode scalars from the value's start).
    struct Problem: Hashable, Sendable {
        var offset: Int
        var message: String
    }

    var environment: [String: String]

    /// `value` with its variables replaced, and the problems of those that could not be.
    ///
    /// `expand("s3://${BUCKET:-sluice}/in")` is `"s3://sluice/in"` when `BUCKET` is unset.
    func expand(_ value: String) -> (value: String, problems: [Problem]) {
        guard value.contains("$") else { return (value, []) }
        let scalars = Array(value.unicodeScalars)
        var output = String.UnicodeScalarView()
        var problems: [Problem] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "$", index + 1 < scalars.count else {
                output.append(scalar)
                index += 1
                continue
            }
            // `$$` is a literal `$`.
            if scalars[index + 1] == "$" {
                output.append("$")
                index += 2
                continue
            }
            guard scalars[index + 1] == "{" else {
                output.append(scalar)
                index += 1
                continue
            }
            guard let close = scalars[(index + 2)...].firstIndex(of: "}") else {
                problems.append(Problem(offset: index, message: "'${' is not closed; write ${NAME} or ${NAME:-default}, and $$ for a literal $"))
                output.append(contentsOf: scalars[index...])
                break
            }
            let inside = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
            switch resolve(inside) {
            case .success(let text): output.append(contentsOf: text.unicodeScalars)
            case .failure(let message):
                problems.append(Problem(offset: index, message: message.text))
                output.append(contentsOf: scalars[index...close])
            }
            index = close + 1
        }
        return (String(output), problems)
    }

    /// The text of one `${…}`, from what stands between the braces.
    private func resolve(_ inside: String) -> Result<String, Message> {
        let name: Substring, fallback: Substring?
        if let separator = inside.range(of: ":-") {
            name = inside[..<separator.lowerBound]
            fallback = inside[separator.upperBound...]
        } else {
            name = inside[...]
            fallback = nil
        }
        guard Self.isName(name) else {
            if name.isEmpty { return .failure(Message("'${\(inside)}' names no variable")) }
            if fallback == nil, let cut = name.firstIndex(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }),
                Self.isName(name[..<cut])
            {
                return .failure(Message("'${\(inside)}': only ${NAME} and ${NAME:-default} are understood"))
            }
            return .failure(Message("'${\(inside)}': '\(name)' is not a variable name (ASCII letters, digits and _, not starting with a digit)"))
        }
        let variable = String(name)
        if Self.isCredential(variable) {
            return .failure(Message(
                "${\(variable)} is a credential: Sluice reads credentials from the environment itself, and pipeline values go to logs, messages and the runs table"))
        }
        if let value = environment[variable], !value.isEmpty || fallback == nil { return .success(value) }
        if let fallback { return .success(String(fallback)) }
        return .failure(Message("environment variable \(variable) is not set and has no default; set it, or write ${\(variable):-default}"))
    }

    /// A message, as the failure of a `Result`.
    private struct Message: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    static func isName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// Sluice's own credentials, and any variable named like one.
    static func isCredential(_ name: String) -> Bool {
        let upper = name.uppercased()
        let sluice = ["SLUICE_DATABASE_URL", "SLUICE_EVENTS_TOKEN", "SLUICE_GENESIS_ENDPOINTS", "SLUICE_S3_ACCESS_KEY", "SLUICE_S3_SECRET_KEY",
                      "SLUICE_VOP_API_KEY"]
        if sluice.contains(upper) || upper.hasPrefix("SLUICE_GENESIS_LOGIN") || upper.hasPrefix("SLUICE_GENESIS_PASSWORD") { return true }
        return ["PASSWORD", "PASSWD", "SECRET", "SECRET_KEY", "API_KEY", "TOKEN", "PRIVATE_KEY"].contains { upper == $0 || upper.hasSuffix("_" + $0) }
    }
}

extension EnvironmentInterpolation {
    /// `node` with every value interpolated; the problems are placed in `file`, whose text is
    /// `text`, at the `${` itself where the value is written on one line.
    /// `written` gets the value and the text written for each value that changed, by path.
    func interpolate(
        _ node: Node, at path: SpecPath = .root, text: String, file: String?, problems: inout [SpecProblem],
        written: inout [SpecPath: PipelineTree.Written]
    ) -> Node {
        switch node {
        case .scalar(let scalar):
            let (value, found) = expand(scalar.string)
            for problem in found {
                let place = Self.place(of: problem.offset, in: scalar, text: text)
                problems.append(SpecProblem(problem.message, at: path, line: place?.line ?? scalar.mark?.line, column: place?.column ?? scalar.mark?.column,
                                            file: file))
            }
            guard value != scalar.string else { return node }
            written[path] = PipelineTree.Written(value: value, text: scalar.string)
            // A variable's value has no YAML type of its own, quoted or not: it is a plain
            // scalar again, read as whatever its key takes (`batch_size: "${BATCH}"` is a number).
            return .scalar(Node.Scalar(value, Tag(.implicit, Resolver.basic.appending(.merge)), .plain, scalar.mark))
        case .mapping(let mapping):
            guard mapping.contains(where: { Self.mayInterpolate($0.value) }) else { return node }
            let pairs = mapping.map { pair -> (Node, Node) in
                let key = pair.key.scalar?.string ?? ""
                // A merge key (`<<: *defaults`) stands for the keys it brings; they keep their own paths.
                let valuePath = pair.key.isMergeKey ? path : path.appending(key)
                return (pair.key, interpolate(pair.value, at: valuePath, text: text, file: file, problems: &problems, written: &written))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            guard sequence.contains(where: Self.mayInterpolate) else { return node }
            let nodes = sequence.enumerated().map { index, item in
                interpolate(item, at: path.appending(index: index), text: text, file: file, problems: &problems, written: &written)
            }
            return .sequence(Node.Sequence(nodes, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    private static func mayInterpolate(_ node: Node) -> Bool {
        switch node {
        case .scalar(let scalar): scalar.string.contains("$")
        case .mapping(let mapping): mapping.contains { mayInterpolate($0.value) }
        case .sequence(let sequence): sequence.contains(where: mayInterpolate)
        case .alias: false
        }
    }

    /// Where the `offset`-th scalar of a value stands in the file, when the value is written on
    /// one line as it reads (plain, or quoted without escapes before it); `nil` otherwise, and
    /// the value's own place is used.
    static func place(of offset: Int, in scalar: Node.Scalar, text: String) -> (line: Int, column: Int)? {
        guard let mark = scalar.mark else { return nil }
        let quote = (scalar.style == .singleQuoted || scalar.style == .doubleQuoted) ? 1 : 0
        guard scalar.style == .plain || quote == 1 else { return nil }
        let before = String(String.UnicodeScalarView(Array(scalar.string.unicodeScalars).prefix(offset)))
        guard !before.contains("\n") else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let written = Array(lines[mark.line - 1].unicodeScalars)
        let start = mark.column - 1 + quote
        let column = start + offset
        // Only where the line really reads the value's text up to the `${`.
        guard start >= 0, column + 1 < written.count, Array(before.unicodeScalars) == Array(written[start..<column]),
            written[column] == "$"
        else { return nil }
        return (mark.line, column + 1)
    }
}
