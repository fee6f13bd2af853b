import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sluice iban` as an operator uses it: a list on stdin, one answer line per input line.
struct IbanCommandTests {
    let binary: String

    init() throws {
        binary = try IntegrationEnvironment.sluiceBinary()
    }

    func run(_ arguments: [String], stdin: String) throws -> (output: [String], status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["iban"] + arguments
        // Input from a file, not a pipe: writing a large input to a pipe while the command
        // fills the output pipe would block both sides.
        let inputPath = FileManager.default.temporaryDirectory.appendingPathComponent("iban-\(UUID()).txt")
        try Data(stdin.utf8).write(to: inputPath)
        defer { try? FileManager.default.removeItem(at: inputPath) }
        let output = Pipe()
        process.standardInput = try FileHandle(forReadingFrom: inputPath)
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return (lines, process.terminationStatus)
    }

    @Test func everyInputLineGetsOneAnswerInOrder() throws {
        let input = ["DE89370400440532013000", "", "DE89 3704 0044 0532 0130 01", "XX12", "iban nl91abna0417164300", "DE8937040044053201300"]
        let (lines, status) = try run([], stdin: input.joined(separator: "\n") + "\n")
        #expect(lines.count == input.count)
        let fields = lines.map { $0.components(separatedBy: "\t") }
        #expect(fields.allSatisfy { $0.count == 7 })
        #expect(fields.map { $0[0] } == input)
        #expect(fields.map { $0[1] } == ["valid", "invalid", "invalid", "invalid", "valid", "invalid"])
        #expect(fields.map { $0[2] } == ["", "iban.required", "iban.checksum", "iban.country", "", "iban.length"])
        #expect(fields[4][4] == "NL" && fields[4][5] == "yes" && fields[4][6] == "NL91 ABNA 0417 1643 00")
        #expect(status == 1, "an invalid IBAN in the list makes the exit code 1")
    }

    @Test func aLargeListAnswersEveryLineAsJSON() throws {
        let valid = Array(repeating: "GB29NWBK60161331926819", count: 100_000).joined(separator: "\n") + "\n"
        let (lines, status) = try run(["--json"], stdin: valid)
        #expect(lines.count == 100_000)
        #expect(lines.allSatisfy { $0.contains("\"valid\":true") && $0.contains("\"formatted\":\"GB29 NWBK 6016 1331 9268 19\"") })
        #expect(status == 0)
    }
}
