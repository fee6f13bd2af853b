import SluiceCore

extension CSVDecoder: RecordDecoder {
    public mutating func readSourceHeader() async throws -> SourceHeader {
        let header = try await readHeader()
        return SourceHeader(format: .csv, fields: header.fields, dataOffset: header.dataOffset, dataLine: header.dataLine, delimiter: header.delimiter)
    }
}
