import Foundation
import Testing

/// `sluice lint` as an editor, CI or an operator runs it (issue 15); and `sluice run` refusing
/// a file that does not lint, with the same messages.
struct LintCommandTests {
    /// A fresh folder with `files`; its path.
    static func folder(_ files: [String: String]) throws -> String {
        let folder = NSTemporaryDirectory() + "sluice-lint-\(UUID().uuidString.prefix(8))"
        for (name, text) in files {
            let path = folder + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return folder
    }

    static let good = "name: good\ntarget: {table: s.good}\ncolumns: [{name: iban}, {name: amount}]\n"
    static let warned = "name: warned\ntarget: {table: s.warned}\ncolumns: [{name: iban}]\nbatch_size: 50\n"
    static let broken = """
        name: broken
        target: {table: s.t, connections: 9}
        columns:
          - name: iban
            type: interger
        source:
          input: s3://${LINT_TEST_BUCKET}/x.csv
        """

    @Test func textNamesEveryProblemAtItsPlaceAndExitsFour() async throws {
        let folder = try Self.folder(["broken.yaml": Self.broken])
        let result = try await SluiceCLI(environment: ["LINT_TEST_BUCKET": ""]).run(["lint", folder + "/broken.yaml"])
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "\(folder)/broken.yaml:2:35: error: target.connections must be between 1 and 8",
            "\(folder)/broken.yaml:5:11: error: columns[0].type: 'interger' is not a column type; did you mean 'integer'?",
            "\(folder)/broken.yaml:7:15: error: environment variable LINT_TEST_BUCKET is not set and has no default; set it, or write ${LINT_TEST_BUCKET:-default}",
        ])
        #expect(result.stderr == "3 errors, 0 warnings in 1 file\n")
    }

    @Test func variablesComeFromTheEnvironment() async throws {
        let folder = try Self.folder(["broken.yaml": Self.broken])
        let result = try await SluiceCLI(environment: ["LINT_TEST_BUCKET": "drops"]).run(["lint", folder + "/broken.yaml"])
        #expect(!result.stdout.contains("LINT_TEST_BUCKET"), "\(result.stdout)")
        #expect(result.stderr == "2 errors, 0 warnings in 1 file\n")
    }

    @Test func jsonIsAnArrayOfProblemsForEditors() async throws {
        let folder = try Self.folder(["broken.yaml": Self.broken, "warned.yaml": Self.warned])
        let result = try await SluiceCLI().run(["lint", "--format", "json", folder + "/warned.yaml", folder + "/broken.yaml"])
        #expect(result.status == 4)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 4)
        let first = try #require(entries.first)
        #expect(first["file"] as? String == folder + "/warned.yaml")
        #expect(first["line"] as? Int == 4 && first["column"] as? Int == 13)
        #expect(first["severity"] as? String == "warning")
        #expect(first["path"] as? String == "batch_size")
        #expect((first["message"] as? String)?.hasPrefix("batch_size 50 commits a transaction every 50 rows") == true)
        #expect(entries.dropFirst().allSatisfy { $0["severity"] as? String == "error" && $0["file"] as? String == folder + "/broken.yaml" })
        let clean = try await SluiceCLI().run(["lint", "--format", "json", folder + "/warned.yaml"])
        #expect(clean.status == 0)
    }

    @Test func warningsPassUnlessStrict() async throws {
        let folder = try Self.folder(["warned.yaml": Self.warned])
        let relaxed = try await SluiceCLI().run(["lint", folder + "/warned.yaml"])
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.hasSuffix("warning: batch_size 50 commits a transaction every 50 rows, which is slow; 1000 or more is usual\n"))
        #expect(relaxed.stderr == "0 errors, 1 warning in 1 file\n")
        let strict = try await SluiceCLI().run(["lint", "--strict", folder + "/warned.yaml"])
        #expect(strict.status == 4)
    }

    @Test func aFolderStandsForItsPipelineFilesNotItsSubfolders() async throws {
        let folder = try Self.folder([
            "good.yaml": Self.good, "other.yml": Self.good.replacingOccurrences(of: "good", with: "other"),
            "notes.txt": "not yaml", "shared/partial.yaml": "columns: [{name: iban}]\n",
        ])
        let result = try await SluiceCLI().run(["lint", folder])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "0 errors, 0 warnings in 2 files\n")
        let missing = try await SluiceCLI().run(["lint", folder + "/none.yaml"])
        #expect(missing.status == 4)
        #expect(missing.stdout == "\(folder)/none.yaml: error: pipeline file not found: \(folder)/none.yaml\n")
    }

    @Test func theShippedPipelinesLintClean() async throws {
        let result = try await SluiceCLI().run(["lint", "--strict", IntegrationEnvironment.path("pipelines")])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.isEmpty)
    }

    @Test func runRefusesAFileThatDoesNotLintWithTheSameMessages() async throws {
        let folder = try Self.folder(["broken.yaml": Self.broken, "warned.yaml": Self.warned])
        let lint = try await SluiceCLI().run(["lint", folder + "/broken.yaml"])
        let run = try await SluiceCLI().run(["run", folder + "/broken.yaml", "--input", folder + "/none.csv"])
        #expect(run.status == 4)
        for line in lint.stdout.split(separator: "\n") {
            #expect(run.stderr.contains(line), "\(run.stderr)")
        }
        // Warnings do not stop a run; they are printed before it starts.
        let warned = try await SluiceCLI().run(["run", folder + "/warned.yaml", "--input", folder + "/none.csv"])
        #expect(warned.stderr.hasPrefix("\(folder)/warned.yaml:4:13: warning: batch_size 50"), "\(warned.stderr)")
        #expect(warned.status != 4, "past the pipeline file, the run fails on its missing input: \(warned.stderr)")
    }
}
