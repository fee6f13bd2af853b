import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a command logs, from the environment: `SLUICE_LOG_FORMAT` (`json` or `text`),
/// `SLUICE_LOG_LEVEL` (swift-log's level names) and `SLUICE_NODE_ID`.
///
/// `sluice serve` logs JSON at `info` by default, every other command text at `warning`; `-v`
/// means at least `debug`. A value that is not understood falls back to the default and is
/// listed in `problems`, for the caller to log once logging works.
public struct LogSettings: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case json, text
    }

    public var format: Format
    public var level: Logger.Level
    /// This process's name on every line (`node`): `SLUICE_NODE_ID`, or `host:pid`.
    public var node: String
    public var problems: [String] = []

    public init(environment: [String: String], server: Bool, verbose: Bool) {
        format = server ? .json : .text
        level = server ? .info : .warning
        node = environment["SLUICE_NODE_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.hostAndPID
        if let text = environment["SLUICE_LOG_FORMAT"], !text.isEmpty {
            if let parsed = Format(rawValue: text.lowercased()) {
                format = parsed
            } else {
                problems.append("SLUICE_LOG_FORMAT must be json or text, found '\(text)'; using \(format.rawValue)")
            }
        }
        if let text = environment["SLUICE_LOG_LEVEL"], !text.isEmpty {
            if let parsed = Logger.Level(rawValue: text.lowercased()) {
                level = parsed
            } else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append("SLUICE_LOG_LEVEL must be one of \(names), found '\(text)'; using \(level.rawValue)")
            }
        }
        if verbose { level = min(level, .debug) }
    }

    /// The handler for a logger label, as `LoggingSystem.bootstrap` asks for one.
    public func makeHandler(label: String, server: Bool) -> any LogHandler {
        switch format {
        case .json:
            return JSONLogHandler(label: label, node: node, level: level)
        case .text:
            // The server's text lines name the node too; the CLI's stay as they were.
            let node = self.node
            var handler = server
                ? StreamLogHandler.standardError(label: label, metadataProvider: .init { ["node": "\(node)"] })
                : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Writes `message` to stderr in the configured format whatever the level: for lines that
    /// scripts and tests wait for (`sluice serve: listening on …`).
    public func announce(_ message: String, label: String = "sluice") {
        switch format {
        case .json:
            JSONLogHandler(label: label, node: node).log(event: LogEvent(
                level: .notice, message: "\(message)", metadata: nil, source: nil, file: #fileID, function: #function, line: #line))
        case .text:
            JSONLogHandler.standardError(Array("\(message)\n".utf8))
        }
    }

    /// `host:pid`, with `gethostname` (no DNS lookup).
    static let hostAndPID: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "unknown"
        return "\(host):\(getpid())"
    }()
}
