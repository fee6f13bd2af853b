import SluiceCore
import SluiceFormats
import SluicePipeline
import Testing

struct SourceSpecTests {
    func spec(_ source: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: """
            name: t
            source: \(source)
            target: {table: s.t}
            columns: [{name: iban}]
            """)
    }

    @Test func formatSheetAndXLSXLimitsReachTheDecoderOptions() throws {
        let options = try spec("{format: xlsx, sheet: 2, xlsx: {max_columns: 200, max_compression_ratio: 500}}")
            .source.decoderOptions(batchRows: 10)
        #expect(options.format == .xlsx)
        #expect(options.sheet == "2")
        #expect(options.xlsxLimits.maxColumns == 200)
        #expect(options.xlsxLimits.maxCompressionRatio == 500)
        #expect(options.xlsxLimits.maxCellCharacters == XLSXLimits().maxCellCharacters, "unset limits keep their defaults")
        #expect(try spec("{format: auto}").source.decoderOptions(batchRows: 1).format == nil)
    }

    @Test func badSourceSettingsAreNamed() {
        #expect { try spec("{format: ods}") } throws: { "\($0)".contains("source.format 'ods' must be auto, csv or xlsx") }
        #expect { try spec("{xlsx: {max_columns: 0}}") } throws: { "\($0)".contains("source.xlsx limits must be positive") }
    }
}
