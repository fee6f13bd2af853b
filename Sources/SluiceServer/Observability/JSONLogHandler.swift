import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler that writes one JSON object per line: `time` (ISO 8601, UTC, ms),
/// `level`, `message`, `label`, `node`, then every metadata key, flattened.
///
/// Anything shaped like an IBAN in the message, the metadata values or the event's error is
/// masked (first four and last four characters kept; UUIDs stay whole: `SensitiveText`), so a
/// value that slipped into a log message does not reach the log store whole. Keys that clash with the fixed fields are
/// written as `metadata.<key>`.
///
/// ```
/// {"time":"2026-12-01T09:30:00.123Z","level":"info","message":"run finished","label":"sluice","node":"web-1:412","job":"7","pipeline":"debtors"}
/// ```
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let node: String
    let write: @Sendable ([UInt8]) -> Void

    /// - Parameters:
    ///   - node: this process's name in a fleet (`SLUICE_NODE_ID`), on every line.
    ///   - write: where whole lines go; standard error by default.
    public init(
        label: String, node: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError
    ) {
        self.label = label
        self.node = node
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let fixedKeys: Set<String> = ["time", "level", "message", "label", "node"]

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let one = event.metadata { merged.merge(one) { _, new in new } }
        var flat: [(String, Logger.Metadata.Value)] = []
        flat.reserveCapacity(merged.count + 1)
        for (key, value) in merged { Self.flatten(key, value, into: &flat) }
        if let error = event.error { flat.append(("error", .string(String(describing: error)))) }
        flat.sort { $0.0 < $1.0 }

        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: #"{"time":""#.utf8)
        Self.appendTimestamp(to: &line)
        line.append(contentsOf: #"","level":"#.utf8)
        Self.appendString(event.level.rawValue, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        Self.appendString(SensitiveText.mask(event.message.description), to: &line)
        line.append(contentsOf: #","label":"#.utf8)
        Self.appendString(label, to: &line)
        line.append(contentsOf: #","node":"#.utf8)
        Self.appendString(node, to: &line)
        for (key, value) in flat {
            line.append(UInt8(ascii: ","))
            Self.appendString(Self.fixedKeys.contains(key) ? "metadata.\(key)" : key, to: &line)
            line.append(UInt8(ascii: ":"))
            Self.appendValue(value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        write(line)
    }

    /// Nested dictionaries become dotted keys (`http.status`); lists stay lists.
    static func flatten(_ key: String, _ value: Logger.Metadata.Value, into flat: inout [(String, Logger.Metadata.Value)]) {
        if case .dictionary(let nested) = value {
            for (inner, value) in nested { flatten("\(key).\(inner)", value, into: &flat) }
        } else {
            flat.append((key, value))
        }
    }

    static func appendValue(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(SensitiveText.mask(text), to: &line)
        case .stringConvertible(let convertible):
            appendString(SensitiveText.mask(convertible.description), to: &line)
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendValue(value, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let nested):
            // Only inside a list: an object keeps its shape there.
            line.append(UInt8(ascii: "{"))
            for (index, (key, value)) in nested.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendValue(value, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslash and control characters escaped.
    static func appendString(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hexDigit(byte >> 4))
                line.append(hexDigit(byte & 0xF))
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// `2026-12-01T09:30:00.123Z`, from the real-time clock, without a formatter.
    static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &line)
        line.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &line)
        line.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2, to: &line)
        line.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), width: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2, to: &line)
        line.append(UInt8(ascii: "."))
        appendDigits(Int(now.tv_nsec) / 1_000_000, width: 3, to: &line)
        line.append(UInt8(ascii: "Z"))
    }

    private static func appendDigits(_ value: Int, width: Int, to line: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Serialises writers so that lines longer than a pipe's atomic write never interleave.
    private static let stderrLock = Mutex(())

    /// Writes a whole line to standard error with one `write(2)` call per chunk.
    public static let standardError: @Sendable ([UInt8]) -> Void = { line in
        stderrLock.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
