import Foundation
import SluiceCore
import Testing

@testable import SluicePipeline

struct PipelineCatalogTests {
    static func folder(_ files: [String: String]) throws -> String {
        let folder = NSTemporaryDirectory() + "pipelines-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return folder
    }

    static func yaml(_ name: String, watch: String = "") -> String {
        "name: \(name)\ntarget: {table: sluice.\(name)}\ncolumns: [{name: iban}]\n" + (watch.isEmpty ? "" : "watch:\n\(watch)\n")
    }

    @Test func everyPipelineFileOfTheFolderIsOfferedByName() throws {
        let folder = try Self.folder([
            "a.yaml": Self.yaml("alpha", watch: "  - {bucket: sluice, prefix: a/}"),
            "b.yml": Self.yaml("beta"),
            "notes.txt": "not a pipeline",
        ])
        let catalog = try PipelineCatalog(folder: folder)
        #expect(catalog.pipelines.keys.sorted() == ["alpha", "beta"])
        #expect(try catalog.pipeline(named: "beta").target.description == "sluice.beta")
        #expect(catalog.router.pipeline(bucket: "sluice", key: "a/x.csv") == "alpha")
        let unknown = #expect(throws: SluiceError.self) { try catalog.pipeline(named: "gamma") }
        #expect(unknown?.reason.contains("there are: alpha, beta") == true)
    }

    @Test func aBrokenFileOrTheSameNameTwiceStopsTheCatalogWithItsReason() throws {
        let broken = try Self.folder(["ok.yaml": Self.yaml("ok"), "bad.yaml": "name: bad\ntarget: {table: sluice.bad}\ncolums: []\n"])
        let error = #expect(throws: SluiceError.self) { try PipelineCatalog(folder: broken) }
        #expect(error?.description.contains("bad.yaml") == true, "\(error?.description ?? "")")
        let twice = try Self.folder(["one.yaml": Self.yaml("same"), "two.yaml": Self.yaml("same")])
        let clash = #expect(throws: SluiceError.self) { try PipelineCatalog(folder: twice) }
        #expect(clash?.reason.contains("both define pipeline same") == true, "\(clash?.reason ?? "")")
        #expect(throws: SluiceError.self) { try PipelineCatalog(folder: "/nonexistent/pipelines") }
    }
}
