import ArgumentParser
import Foundation
import SluiceCore
import SluiceFormats
import SluicePipeline

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the parsed records of a file or S3 object.",
        discussion: """
            The format (CSV or XLSX) is detected from the content, and so are gzip compression \
            and a UTF-16 byte order mark, which are undone first and named on a "detected:" \
            line (on stderr for jsonl). jsonl prints one JSON array of field strings per \
            record, the header record first, with fields exactly as in the file after \
            unquoting (cell text for XLSX). Blank lines are skipped.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, jsonl
    }

    @Argument(help: "A local path or s3://bucket/key.")
    var input: String

    @Option(name: .long, help: "Data records to print (default: 20 for table, all for jsonl).")
    var limit: Int?

    @Option(name: .long, help: "table or jsonl.")
    var format: Format = .table

    @Option(name: .long, help: "Field delimiter; detected from the header when not given.")
    var delimiter: String?

    @Option(name: .long, help: "utf-8 or windows-1252.")
    var encoding: String = "utf-8"

    @Option(name: .long, help: "For XLSX: a sheet name or 1-based index (default: the first visible sheet).")
    var sheet: String?

    @Option(name: .long, help: "Only these header columns, comma-separated (matched after normalisation).")
    var columns: String?

    @Flag(name: .long, help: .hidden)
    var count = false

    @Flag(name: .shortAndLong, help: "Log debug messages (S3 retries among them) to stderr.")
    var verbose = false

    func run() async throws {
        // Logs go to stderr, never into the rows on stdout.
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            guard let textEncoding = TextEncoding(name: encoding) else {
                throw SluiceError(.invalidArgument, "--encoding must be utf-8 or windows-1252")
            }
            var dialect = CSVDialect(encoding: textEncoding)
            if let delimiter {
                let value = delimiter == "tab" || delimiter == "\\t" ? "\t" : delimiter
                guard value.utf8.count == 1, let byte = value.utf8.first else {
                    throw SluiceError(.invalidArgument, "--delimiter must be one character or 'tab'")
                }
                dialect.delimiter = byte
            }
            let source = try InputLocator(s3Configuration: try Environment.s3(), logger: logger).source(for: input)
            let object = try await source.describe()
            var decoder = try await RecordDecoders.open(
                source: source, object: object, options: DecoderOptions(dialect: dialect, sheet: sheet, batchRows: 4096))
            let header = try await decoder.readSourceHeader()
            if !header.detected.isEmpty {
                // jsonl and --count output is read by programs: say it on stderr there.
                let line = "detected: " + header.detected.joined(separator: ", ")
                if format == .table && !count { print(line) } else { Terminal.printError(line) }
            }
            if count {
                // For benchmarks: decode every row, print only the counts.
                var rows = 0, rejected = 0
                while let batch = try await decoder.nextBatch() {
                    rows += batch.rowCount
                    rejected += batch.rejectedCount
                }
                print("rows \(rows) rejected \(rejected) columns \(header.fields.count)")
                return
            }
            let limit = self.limit ?? (format == .table ? 20 : Int.max)
            let selected = try selectedColumns(header: header.fields)
            var printer = RecordPrinter(format: format, header: selected.map { header.fields[$0] })
            var printed = 0
            reading: while printed < limit, let batch = try await decoder.nextBatch() {
                for row in 0..<batch.rowCount {
                    if printed >= limit { break reading }
                    let count = batch.fieldCount(ofRow: row)
                    let fields = columns == nil
                        ? (0..<count).map { batch.text(row: row, field: $0) }
                        : selected.map { $0 < count ? batch.text(row: row, field: $0) : "" }
                    let reasons = batch.rejections.filter { Int($0.row) == row }.map(\.code.rawValue)
                    printer.add(fields, line: batch.lines[row], reasons: reasons)
                    printed += 1
                }
            }
            printer.finish()
        }
    }
}

extension InspectCommand {
    /// Indices of the header cells `--columns` names, in its order; all of them without it.
    func selectedColumns(header: [String]) throws -> [Int] {
        guard let columns else { return Array(header.indices) }
        let normalized = header.map(HeaderNormalizer.normalize)
        return try columns.split(separator: ",").map { name in
            let wanted = HeaderNormalizer.normalize(String(name))
            guard let index = normalized.firstIndex(of: wanted) else {
                throw SluiceError(.invalidArgument, "no column '\(name)' in the header (\(header.joined(separator: ", ")))")
            }
            return index
        }
    }
}

/// Prints records as JSON lines, or collects them into an aligned table.
struct RecordPrinter {
    let format: InspectCommand.Format
    let header: [String]
    private var rows: [(line: Int64, fields: [String], reasons: [String])] = []

    init(format: InspectCommand.Format, header: [String]) {
        self.format = format
        self.header = header
        if format == .jsonl { print(Self.jsonArray(header)) }
    }

    mutating func add(_ fields: [String], line: Int64, reasons: [String]) {
        switch format {
        case .jsonl: print(Self.jsonArray(fields))
        case .table: rows.append((line, fields, reasons))
        }
    }

    func finish() {
        guard format == .table else { return }
        let maxWidth = 24
        func cell(_ text: String) -> String {
            let flat = text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            return flat.count > maxWidth ? String(flat.prefix(maxWidth - 1)) + "…" : flat
        }
        let columns = max(header.count, rows.map(\.fields.count).max() ?? 0)
        var widths = [Int](repeating: 1, count: columns + 1)
        widths[0] = max(4, rows.map { String($0.line).count }.max() ?? 0)
        let headerCells = ["line"] + (0..<columns).map { $0 < header.count ? cell(header[$0]) : "" }
        let bodyCells = rows.map { row in [String(row.line)] + (0..<columns).map { $0 < row.fields.count ? cell(row.fields[$0]) : "" } }
        for cells in [headerCells] + bodyCells {
            for (index, text) in cells.enumerated() { widths[index] = max(widths[index], text.count) }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: " │ ")
        }
        print(render(headerCells))
        print(widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─"))
        for (index, cells) in bodyCells.enumerated() {
            let reasons = rows[index].reasons
            print(render(cells) + (reasons.isEmpty ? "" : "  ✗ " + reasons.joined(separator: ",")))
        }
    }

    /// A JSON array of strings, one line. `JSONEncoder` escapes what JSON requires; slashes
    /// and non-ASCII letters stay as they are, so text stays readable.
    static func jsonArray(_ fields: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
