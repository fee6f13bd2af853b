/// Splits one stored raw record back into its fields, with the same scanner the decoder uses.
///
/// Reports use it on `sluice.rejections.raw`. It never fails: a malformed record (text after
/// a closing quote, a quote left open) splits as far as the scanner gets, and invalid UTF-8
/// shows as U+FFFD.
///
/// ```swift
/// let fields = CSVFieldSplitter(delimiter: UInt8(ascii: ",")).split(Array(#"a,"b ""c""",d"#.utf8))
/// // ["a", "b \"c\"", "d"]
/// ```
public struct CSVFieldSplitter: Sendable {
    public let delimiter: UInt8
    public let quote: UInt8
    // Built once: the scanner's byte-class table costs an allocation.
    private let template: CSVScanner

    public init(delimiter: UInt8, quote: UInt8 = UInt8(ascii: "\"")) {
        self.delimiter = delimiter
        self.quote = quote
        self.template = CSVScanner(delimiter: delimiter, quote: quote)
    }

    /// The fields of `record`. A record that holds an unquoted line break yields the fields
    /// of every line it holds, in order.
    public func split(_ record: [UInt8]) -> [String] {
        guard !record.isEmpty else { return [""] }
        var scanner = template
        var builder = CSVBatchBuilder(expectedRows: 1, expectedFields: 16)
        record.withUnsafeBufferPointer { buffer in
            let stop = scanner.scan(buffer, from: 0, maxRows: .max, into: &builder)
            scanner.finish(at: stop, into: &builder)
        }
        let escaped = builder.escapedFields
        var fields: [String] = []
        fields.reserveCapacity(builder.fieldStarts.count)
        for index in builder.fieldStarts.indices {
            let start = Int(builder.fieldStarts[index])
            let end = max(start, Int(builder.fieldEnds[index]))
            let bytes = record[start..<min(end, record.count)]
            if !escaped.isEmpty && escaped.contains(Int32(index)) {
                fields.append(String(decoding: unescape(bytes), as: UTF8.self))
            } else {
                fields.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        return fields
    }

    /// A quoted field's bytes with each doubled quote made single.
    private func unescape(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var previousWasQuote = false
        for byte in bytes {
            if byte == quote && previousWasQuote {
                previousWasQuote = false
                continue
            }
            previousWasQuote = byte == quote
            result.append(byte)
        }
        return result
    }
}
