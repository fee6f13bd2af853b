import ArgumentParser
import SluiceValidation
#if canImport(Glibc)
import Glibc
#endif

/// `sluice iban`: checks IBANs given as arguments or one per line on stdin.
struct IbanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iban",
        abstract: "Check IBANs from the arguments, or one per line from stdin.",
        discussion: """
            Every input line, even an empty one, gets exactly one output line, in order. Output is \
            tab-separated: input, valid|invalid, reason code (empty when valid), message, country, \
            SEPA (yes|no, empty for an unknown country), IBAN in print format. Tabs and carriage \
            returns in the echoed input become spaces. --json prints one JSON object per line instead. \
            Spaces, lower case and an IBAN prefix are accepted. Exits 0 when every IBAN is valid, 1 \
            when at least one is not.
            """
    )

    @Argument(help: "IBANs to check; when none are given, lines are read from stdin.")
    var ibans: [String] = []

    @Flag(name: .long, help: "Print one JSON object per line.")
    var json = false

    @Flag(name: .customLong("sepa-only"), help: "Report valid IBANs of countries outside SEPA as invalid (iban.not_sepa).")
    var sepaOnly = false

    @Flag(name: .customLong("no-national-check"), help: "Skip national check digits inside the BBAN.")
    var noNationalCheck = false

    func run() throws {
        var printer = IbanPrinter(json: json, sepaOnly: sepaOnly, nationalCheck: !noNationalCheck)
        if ibans.isEmpty {
            LineReader.forEachLine(fileDescriptor: STDIN_FILENO) { printer.check($0) }
        } else {
            for iban in ibans {
                var iban = iban
                iban.withUTF8 { printer.check($0) }
            }
        }
        printer.flush()
        if printer.invalidCount > 0 { throw ExitCode(ExitCodes.failure) }
    }
}

/// Formats one result line per input into a buffered stdout writer.
struct IbanPrinter {
    let json: Bool
    let sepaOnly: Bool
    let nationalCheck: Bool
    private(set) var invalidCount = 0
    private var output: [UInt8] = []
    private var compact: [UInt8] = []

    init(json: Bool, sepaOnly: Bool, nationalCheck: Bool) {
        self.json = json
        self.sepaOnly = sepaOnly
        self.nationalCheck = nationalCheck
        output.reserveCapacity(1 << 17)
    }

    mutating func check(_ line: UnsafeBufferPointer<UInt8>) {
        let result = IBANValidator.validate(line, nationalCheck: nationalCheck)
        let country = result.countryCode
        var valid = result.isValid
        var code = result.code?.rawValue
        var message = result.message
        if valid && sepaOnly && !result.isSEPA {
            valid = false
            code = "iban.not_sepa"
            message = "Country \(country ?? "") is not in SEPA zone"
        }
        if !valid { invalidCount += 1 }

        compact.removeAll(keepingCapacity: true)
        IBANValidator.appendCompact(line, to: &compact)

        if json {
            appendJSONLine(line, valid: valid, code: code, message: message, country: country, sepa: result.isSEPA)
        } else {
            for byte in line { output.append(byte == 0x09 || byte == 0x0D || byte == 0x0A ? 0x20 : byte) }
            output.append(0x09)
            output.append(contentsOf: valid ? Self.validWord : Self.invalidWord)
            output.append(0x09)
            if let code { output.append(contentsOf: code.utf8) }
            output.append(0x09)
            output.append(contentsOf: message.utf8)
            output.append(0x09)
            if let country { output.append(contentsOf: country.utf8) }
            output.append(0x09)
            if country != nil { output.append(contentsOf: result.isSEPA ? Self.yes : Self.no) }
            output.append(0x09)
            appendPrintFormat()
            output.append(0x0A)
        }
        if output.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        output.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
        output.removeAll(keepingCapacity: true)
    }

    private static let validWord = Array("valid".utf8)
    private static let invalidWord = Array("invalid".utf8)
    private static let yes = Array("yes".utf8)
    private static let no = Array("no".utf8)

    /// The compact form in groups of four.
    private mutating func appendPrintFormat() {
        for (offset, byte) in compact.enumerated() {
            if offset > 0 && offset % 4 == 0 { output.append(0x20) }
            output.append(byte)
        }
    }

    private mutating func appendJSONLine(_ line: UnsafeBufferPointer<UInt8>, valid: Bool, code: String?, message: String, country: String?, sepa: Bool) {
        output.append(contentsOf: #"{"input":"#.utf8)
        appendJSONString(String(decoding: line, as: UTF8.self))
        output.append(contentsOf: #","valid":"#.utf8)
        output.append(contentsOf: (valid ? "true" : "false").utf8)
        output.append(contentsOf: #","code":"#.utf8)
        if let code { appendJSONString(code) } else { output.append(contentsOf: "null".utf8) }
        output.append(contentsOf: #","message":"#.utf8)
        appendJSONString(message)
        output.append(contentsOf: #","country":"#.utf8)
        if let country { appendJSONString(country) } else { output.append(contentsOf: "null".utf8) }
        output.append(contentsOf: #","sepa":"#.utf8)
        if country != nil { output.append(contentsOf: (sepa ? "true" : "false").utf8) } else { output.append(contentsOf: "null".utf8) }
        output.append(contentsOf: #","formatted":"#.utf8)
        output.append(0x22)
        let start = output.count
        appendPrintFormat()
        escapeInPlace(from: start)
        output.append(0x22)
        output.append(contentsOf: "}\n".utf8)
    }

    private mutating func appendJSONString(_ text: String) {
        output.append(0x22)
        let start = output.count
        output.append(contentsOf: text.utf8)
        escapeInPlace(from: start)
        output.append(0x22)
    }

    /// Escapes `"`, `\` and control characters in the bytes appended since `start`.
    private mutating func escapeInPlace(from start: Int) {
        guard output[start...].contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return }
        let raw = Array(output[start...])
        output.removeSubrange(start...)
        let hex = Array("0123456789abcdef".utf8)
        for byte in raw {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case ..<0x20: output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
    }
}

/// Reads a file descriptor in large chunks and hands out its lines without their terminator
/// (LF or CRLF). A last line without a terminator is a line too; an empty input has none.
enum LineReader {
    static func forEachLine(fileDescriptor: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let chunkSize = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0
        var endOfInput = false
        while !endOfInput {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBufferPointer { pointer -> Int in
                guard let base = pointer.baseAddress else { return 0 }
                var count: Int
                repeat { count = read(fileDescriptor, base + filled, pointer.count - filled) } while count < 0 && errno == EINTR
                return count
            }
            if count <= 0 {
                endOfInput = true
            } else {
                filled += count
            }
            var consumed = 0
            buffer.withUnsafeBufferPointer { pointer in
                var lineStart = 0
                for index in 0..<filled where pointer[index] == 0x0A {
                    var lineEnd = index
                    if lineEnd > lineStart && pointer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    body(UnsafeBufferPointer(rebasing: pointer[lineStart..<lineEnd]))
                    lineStart = index + 1
                }
                if endOfInput && lineStart < filled {
                    var lineEnd = filled
                    if pointer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    body(UnsafeBufferPointer(rebasing: pointer[lineStart..<lineEnd]))
                    lineStart = filled
                }
                consumed = lineStart
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { pointer in
                    guard let base = pointer.baseAddress else { return }
                    _ = memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
            }
        }
    }
}
