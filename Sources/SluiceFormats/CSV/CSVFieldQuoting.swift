/// RFC 4180 quoting for the CSV files Sluice writes (reports, blacklist exports): a field that holds the delimiter, a quote, CR or LF
/// is enclosed in quotes, and its quotes are doubled.
public enum CSVFieldQuoting {
    public static func append(_ field: String, delimiter: UInt8, to output: inout [UInt8]) {
        let utf8 = field.utf8
        let needsQuotes = utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard needsQuotes else {
            output.append(contentsOf: utf8)
            return
        }
        output.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { output.append(byte) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }

    /// One record: fields separated by `delimiter`, ended by CRLF.
    public static func record(_ fields: [String], delimiter: UInt8 = UInt8(ascii: ",")) -> [UInt8] {
        var output: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { output.append(delimiter) }
            append(field, delimiter: delimiter, to: &output)
        }
        output.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        return output
    }
}
