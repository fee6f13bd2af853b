import Foundation
import SluiceCore
import SluiceStages
import Yams

/// One test case of a pipeline (`sluice test`): a small input file and what the pipeline must
/// make of it, from a folder under `pipelines/tests/<pipeline>/` holding `input.*` and
/// `expected.yaml`. See docs/pipelines.md, "Testing a pipeline".
public struct PipelineFixture: Sendable {
    /// The case's folder, which names it in results.
    public var folder: String
    /// The input file.
    public var input: String
    public var description: String?
    /// Variables for `${VAR}` in the pipeline file, over the process's own.
    public var environment: [String: String] = [:]
    /// `completed` unless the case expects the run to end otherwise (`failed_budget`).
    public var status: RunStatus = .completed
    /// Text the error must contain, for a case whose run must fail (a missing column).
    public var error: String?
    public var accepted: Int64?
    /// Rows rejected per reason code, exactly: a code not listed must not occur.
    public var rejected: [String: Int64] = [:]
    /// Flags per review code on accepted rows, exactly.
    public var flagged: [String: Int64] = [:]
    /// The only blacklist entries the screen stage sees in this case (nothing is written; the
    /// database's blacklist and billing history are not read).
    public var blacklist: [(kind: BlacklistKind, value: String)] = []
    /// For a pipeline with `vop:`: the simulator's account holders (`iban,name[,account_type]`).
    public var vopHolders: String?
    /// Accepted rows by source line: column → canonical text (`nil`: the value is NULL).
    public var rows: [ExpectedRow] = []

    public struct ExpectedRow: Sendable, Hashable {
        public var line: Int64
        public var values: [String: String?]
    }

    static let keys = ["description", "environment", "input", "status", "error", "accepted", "rejected", "flagged", "blacklist", "vop", "rows"]

    /// Reads the case in `folder`.
    ///
    /// - Throws: `SluiceError(.invalidArgument)` naming `expected.yaml` and what is wrong with it.
    public init(folder: String) throws {
        self.folder = folder
        let expectedPath = (folder as NSString).appendingPathComponent("expected.yaml")
        func invalid(_ reason: String, line: Int? = nil) -> SluiceError {
            SluiceError(.invalidArgument, reason, object: expectedPath, line: line.map(Int64.init))
        }
        guard let text = try? String(contentsOfFile: expectedPath, encoding: .utf8) else { throw invalid("cannot read the test's expected outcome") }
        let root: Node
        do {
            guard let node = try compose(yaml: text) else { throw invalid("the file is empty") }
            root = node
        } catch let error as SluiceError {
            throw error
        } catch {
            throw invalid("invalid YAML: \(error)")
        }
        guard let mapping = root.mapping else { throw invalid("expected.yaml must be a set of keys (\(Self.keys.joined(separator: ", ")))") }
        var inputName: String?
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let line = keyNode.mark?.line
            func text(_ node: Node) throws -> String {
                guard let string = node.scalar?.string else { throw invalid("\(key) must be a single value", line: node.mark?.line) }
                return string
            }
            func count(_ node: Node) throws -> Int64 {
                guard let string = node.scalar?.string, let value = Int64(string.replacingOccurrences(of: "_", with: "")), value >= 0 else {
                    throw invalid("\(key) must be a whole number of rows", line: node.mark?.line)
                }
                return value
            }
            func counts(_ node: Node) throws -> [String: Int64] {
                guard node.null == nil else { return [:] }
                guard let entries = node.mapping else { throw invalid("\(key) maps reason codes to counts: { iban.checksum: 1 }", line: line) }
                var result: [String: Int64] = [:]
                for (code, number) in entries { result[code.string ?? ""] = try count(number) }
                return result
            }
            switch key {
            case "description": description = try text(value)
            case "input": inputName = try text(value)
            case "error": error = try text(value)
            case "status":
                guard let parsed = RunStatus(rawValue: try text(value)) else { throw invalid("status must be a run status such as completed or failed_budget", line: line) }
                status = parsed
            case "accepted": accepted = try count(value)
            case "rejected": rejected = try counts(value)
            case "flagged": flagged = try counts(value)
            case "environment":
                guard let entries = value.mapping else { throw invalid("environment maps variable names to values", line: line) }
                for (name, setting) in entries { environment[name.string ?? ""] = try text(setting) }
            case "blacklist":
                guard let entries = value.sequence else { throw invalid("blacklist is a list of entries such as { iban: DE89… }", line: line) }
                for entry in entries {
                    guard let pair = entry.mapping?.first(where: { $0.key.string != "reason" }), let kindText = pair.key.string,
                          let kind = BlacklistKind(rawValue: kindText) else {
                        throw invalid("a blacklist entry names one of \(BlacklistKind.allCases.map(\.rawValue).joined(separator: ", "))", line: entry.mark?.line)
                    }
                    blacklist.append((kind, try text(pair.value)))
                }
            case "vop":
                guard let holders = value.mapping?["holders"]?.string else { throw invalid("vop takes holders: FILE (iban,name[,account_type])", line: line) }
                vopHolders = (folder as NSString).appendingPathComponent(holders)
            case "rows":
                guard let entries = value.sequence else { throw invalid("rows is a list of { line: N, column: value }", line: line) }
                for entry in entries {
                    guard let pairs = entry.mapping, let lineText = pairs["line"]?.string, let number = Int64(lineText) else {
                        throw invalid("each expected row gives its source line: { line: 2, amount: \"12.50\" }", line: entry.mark?.line)
                    }
                    var values: [String: String?] = [:]
                    for (column, cell) in pairs where column.string != "line" {
                        values[(column.string ?? "").lowercased()] = cell.null != nil ? String?.none : cell.string
                    }
                    rows.append(ExpectedRow(line: number, values: values))
                }
            default:
                let hint = Spelling.suggestion(for: key, among: Self.keys).map { "; did you mean '\($0)'?" } ?? "; it takes \(Self.keys.joined(separator: ", "))"
                throw invalid("unknown key '\(key)'\(hint)", line: line)
            }
        }
        guard accepted != nil || error != nil else { throw invalid("give the accepted count (accepted: N), or the error the run must end with") }
        if let inputName {
            input = (folder as NSString).appendingPathComponent(inputName)
        } else {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("input.") }.sorted()
            guard files.count == 1 else {
                throw invalid(files.isEmpty ? "no input file: put one file named input.<csv|xlsx|…> next to expected.yaml"
                                            : "more than one input file (\(files.joined(separator: ", "))): name one with input:")
            }
            input = (folder as NSString).appendingPathComponent(files[0])
        }
    }
}
