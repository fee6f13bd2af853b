import SluiceCore
import Testing

@testable import SluicePipeline

struct PipelineSpecTests {
    static let minimal = """
        name: demo
        target:
          table: sluice.demo
        columns:
          - name: iban
            aliases: [iban_number]
            required: true
        """

    @Test func theShippedPipelineFileIsValid() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/SluicePipelineTests/Spec/PipelineSpecTests.swift", with: "pipelines/debtors.yaml")
        let spec = try PipelineSpec.load(path: path)
        #expect(spec.name == "debtors")
        #expect(spec.target.description == "sluice.debtors")
        #expect(spec.columns.count == 15)
        #expect(spec.columns.first { $0.name == "iban" }?.required == true)
        #expect(!spec.keepRaw, "the shipped pipeline finds records through source_offset (sluice source), not a stored copy")
    }

    @Test func defaultsApplyToAMinimalFile() throws {
        let spec = try PipelineSpec.parse(yaml: Self.minimal)
        #expect(spec.batchSize == PipelineSpec.defaultBatchSize)
        #expect(spec.sinkConnections == 2)
        #expect(spec.keepRaw)
        #expect(spec.source.delimiter == nil)
        #expect(spec.source.encoding == .utf8)
    }

    @Test(arguments: [
        ("name: demo\ncolumns: []\ntarget: {table: a.b}", "columns must list at least one column"),
        ("name: demo\ntarget: {table: a.b}\ncolumns: [{name: raw}]", "reserved"),
        ("name: demo\ntarget: {table: 'a;drop'}\ncolumns: [{name: x}]", "target.table"),
        ("name: demo\nsource: {delimiter: ':'}\ntarget: {table: a.b}\ncolumns: [{name: x}]", "source.delimiter"),
        ("name: demo\nsource: {encoding: ebcdic}\ntarget: {table: a.b}\ncolumns: [{name: x}]", "source.encoding"),
        ("name: demo\ntarget: {table: a.b}\nbatch_size: 0\ncolumns: [{name: x}]", "batch_size"),
        ("name: demo\ntarget: {table: a.b}\ncolumns: [{name: x}, {name: x}]", "listed twice"),
        ("target: {table: a.b}\ncolumns: [{name: x}]", "missing key 'name'"),
        ("name: demo\ntarget: {table: a.b, connections: 9}\ncolumns: [{name: x}]", "target.connections"),
        ("name: demo\ntarget: {table: a.b}\ncolumns: [{name: x}\n", "line 3, column 10"),
    ])
    func invalidFilesNameTheProblem(yaml: String, expected: String) {
        #expect {
            try PipelineSpec.parse(yaml: yaml, path: "pipelines/bad.yaml")
        } throws: { error in
            guard let error = error as? SluiceError else { return false }
            return error.code == .invalidPipeline && error.description.contains(expected) && error.object == "pipelines/bad.yaml"
        }
    }
}
