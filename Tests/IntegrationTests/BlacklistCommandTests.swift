import Foundation
import SluiceStages
import Testing

/// `sluice blacklist` as an operator uses it, with the real binary and database.
@Suite(.serialized)
struct BlacklistCommandTests {
    let binary: String
    let environment: IntegrationEnvironment

    init() throws {
        environment = try IntegrationEnvironment()
        binary = try IntegrationEnvironment.sluiceBinary()
    }

    /// Runs `sluice blacklist …`; output goes through files, not pipes, so neither side blocks.
    func blacklist(_ arguments: [String]) throws -> (output: String, errors: String, status: Int32) {
        let directory = FileManager.default.temporaryDirectory
        let out = directory.appendingPathComponent("bl-out-\(UUID())")
        let err = directory.appendingPathComponent("bl-err-\(UUID())")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["blacklist"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8), process.terminationStatus)
    }

    @Test func importExportAndImportAgainRoundTripsWithoutClearIBANs() throws {
        let iban = TestIBAN.unique()
        let tag = "t" + UUID().uuidString.prefix(6).lowercased()
        let email = "\(tag)@example.com"
        let source = "it-\(tag)"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("blacklist-\(tag).csv")
        try Data("""
            kind,value,reason,source
            iban,\(iban.prefix(4)) \(iban.dropFirst(4)),AC04,\(source)
            email,\(email.uppercased()),complaint,\(source)
            bic_prefix,zz\(tag.prefix(2)),bank,\(source)
            colour,blue,,\(source)
            iban,DE00123,,\(source)
            name,"Müller, Hans \(tag)",fraud,\(source)

            """.utf8).write(to: file)

        let imported = try blacklist(["import", file.path])
        #expect(imported.status == 4, "bad lines make the exit code 4")
        #expect(imported.output.contains("imported 4 of 6 lines: 4 new, 0 updated, 2 skipped"))
        #expect(imported.errors.contains("line 5, column kind: 'colour' is not one of iban, name, email, bic, bic_prefix"))
        #expect(imported.errors.contains("line 6, column value: not a valid IBAN"))

        let listed = try blacklist(["list", "--limit", "1000"])
        #expect(listed.status == 0)
        #expect(listed.output.contains(IBANMaskText.masked(iban)))
        #expect(!listed.output.contains(iban), "an IBAN is never shown in clear")
        #expect(listed.output.contains("muller hans \(tag)"))

        let exportPath = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(tag).csv").path
        #expect(try blacklist(["export", "--output", exportPath]).status == 0)
        let exported = try String(contentsOfFile: exportPath, encoding: .utf8).split(whereSeparator: \.isNewline).filter { $0.contains(source) }
        #expect(exported.count == 4)
        #expect(exported.contains { $0.hasPrefix("iban,sha256:\(IBANDigest(iban: iban).hex),") })
        #expect(!exported.joined().contains(iban))

        // Remove them all, then import the export: the same entries come back.
        #expect(try blacklist(["remove", "--iban", iban]).status == 0)
        #expect(try blacklist(["remove", "--email", email]).status == 0)
        #expect(try blacklist(["remove", "--bic-prefix", "ZZ" + tag.prefix(2).uppercased()]).status == 0)
        #expect(try blacklist(["remove", "--name", "Hans Müller \(tag)"]).status == 4, "the name was stored as given: Müller Hans")
        #expect(try blacklist(["remove", "--name", "muller  HANS \(tag)"]).status == 0)
        // Only this test's lines: the database may hold other entries.
        let ownPath = exportPath + ".own.csv"
        try Data((["kind,value,display,reason,source,created_at"] + exported.map(String.init)).joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: ownPath))
        let again = try blacklist(["import", ownPath])
        #expect(again.output.contains("imported 4 of 4 lines: 4 new, 0 updated, 0 skipped"))
        #expect(again.status == 0)
        #expect(try blacklist(["add", "--email", email, "--reason", "again"]).output.contains("added email \(email)"))
        let listedAgain = try blacklist(["list", "--limit", "1000", "--json"])
        #expect(listedAgain.output.split(separator: "\n").filter { $0.contains(source) }.count == 3, "email's source is now manual")

        for arguments in [["--iban", iban], ["--email", email], ["--bic-prefix", "ZZ" + tag.prefix(2)], ["--name", "muller hans \(tag)"]] {
            _ = try blacklist(["remove"] + arguments)
        }
    }
}

/// The masked form the CLI shows, spelled out independently of `IBANMask`.
enum IBANMaskText {
    static func masked(_ iban: String) -> String {
        String(iban.prefix(4)) + String(repeating: "*", count: iban.count - 8) + String(iban.suffix(4))
    }
}
