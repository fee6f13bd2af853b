import Testing

@testable import SluiceCore

struct ColumnMappingTests {
    @Test(arguments: [
        ("IBAN Number", "iban_number"), ("E-Mail", "e_mail"), ("  Zip Code ", "zip_code"),
        ("__Full  Name__", "full_name"), ("Straße", "straße"), ("DOB", "dob"),
    ])
    func headersAreNormalised(input: String, expected: String) {
        #expect(HeaderNormalizer.normalize(input) == expected)
    }

    @Test func aliasesMapHeadersToCanonicalColumns() throws {
        let columns = [
            ColumnSpec(name: "iban", aliases: ["iban_number", "bank_account"], required: true),
            ColumnSpec(name: "email", aliases: ["e_mail", "mail"]),
            ColumnSpec(name: "bic", aliases: ["swift"]),
        ]
        let mapping = try ColumnMapping(header: ["Notes", "E-Mail", "IBAN Number"], columns: columns)
        #expect(mapping.sourceIndex == [2, 1, nil])
        #expect(mapping.unmappedHeaders == ["Notes"])
    }

    @Test func missingRequiredColumnNamesTheColumn() {
        let columns = [ColumnSpec(name: "iban", required: true)]
        #expect {
            try ColumnMapping(header: ["name"], columns: columns, object: "s3://b/k")
        } throws: { error in
            let error = error as? SluiceError
            return error?.description.contains("iban") == true && error?.object == "s3://b/k"
        }
    }

    @Test func mapperRejectsEmptyRequiredValues() throws {
        let mapping = try ColumnMapping(header: ["iban", "name"], columns: [ColumnSpec(name: "name", required: true), ColumnSpec(name: "iban")])
        var batch = RecordBatch(sequence: 0, object: SourceObject(uri: "x", etag: "e", size: 0), startOffset: 0)
        batch.arena = Array("DE1,Ann\nDE2,".utf8)
        batch.fieldStarts = [0, 4, 8, 12]
        batch.fieldEnds = [3, 7, 11, 12]
        batch.rowFieldBase = [0, 2, 4]
        batch.rawStarts = [0, 8]
        batch.rawEnds = [7, 12]
        batch.lines = [2, 3]
        batch.offsets = [0, 8]
        batch.status = [.accepted, .accepted]
        ColumnMapper(mapping: mapping).map(&batch)
        #expect(batch.columnCount == 2)
        #expect(String(decoding: batch.arena[batch.valueSpan(row: 0, column: 0)], as: UTF8.self) == "Ann")
        #expect(String(decoding: batch.arena[batch.valueSpan(row: 0, column: 1)], as: UTF8.self) == "DE1")
        #expect(batch.status == [.accepted, .rejected])
        #expect(batch.rejections.map(\.code) == [.required(column: "name")])
    }
}
