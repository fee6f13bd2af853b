import Foundation
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sluice source`: with `target.keep_raw: false` a loaded or rejected row's exact source bytes
/// are found again from its lineage alone, for CSV (quoted newlines, CRLF, invalid UTF-8) and
/// XLSX, from local files and S3 (gzip too), and an object that changed fails clearly.
@Suite(.serialized)
struct SourceCommandTests {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    struct Output {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    /// Runs the binary; stdout as bytes, to compare byte for byte.
    func sluice(_ arguments: [String]) async throws -> Output {
        let running = try cli.start(arguments)
        let deadline = ContinuousClock.now + .seconds(120)
        while running.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.kill()
        let result = running.wait()
        let stdout = try [UInt8](Data(contentsOf: URL(fileURLWithPath: running.stdoutPath)))
        return Output(status: result.status, stdout: stdout, stderr: result.stderr)
    }

    static func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "sluice-source-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A pipeline file with `keep_raw` set, whatever the shipped pipeline says.
    static func pipelineFile(in folder: String, keepRaw: Bool) throws -> IntegrationEnvironment.PipelineFile {
        try IntegrationEnvironment.pipelineFile("src", in: folder) { _, yaml in
            yaml = yaml.replacingOccurrences(of: "keep_raw: \(!keepRaw)", with: "keep_raw: \(keepRaw)")
        }
    }

    /// `sluice run` of `input`; the run id.
    func load(_ pipeline: IntegrationEnvironment.PipelineFile, input: String, batchSize: Int = 2) async throws -> String {
        let result = try await cli.run(["run", pipeline.path, "--input", input, "--batch-size", "\(batchSize)", "--json", "--no-progress"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(summary?["run_id"] as? String)
    }

    /// `(position, line)` of every row the run loaded into `table` or rejected.
    func lineage(runID: String, table: String) async throws -> (accepted: [(Int64, Int64)], rejected: [(Int64, Int64)]) {
        func pairs(_ sql: String) async throws -> [(Int64, Int64)] {
            try await environment.strings(sql).map { text in
                let parts = text.split(separator: ":").map { Int64($0)! }
                return (parts[0], parts[1])
            }
        }
        let accepted = try await pairs("SELECT source_offset || ':' || source_line FROM \(table) WHERE run_id = '\(runID)' ORDER BY source_offset")
        let rejected = try await pairs("""
            SELECT DISTINCT byte_offset || ':' || line FROM sluice.rejections WHERE run_id = '\(runID)' AND outcome = 'rejected'
            """)
        return (accepted, rejected)
    }

    // MARK: - CSV

    /// A CSV file with CRLF line ends, a quoted field holding a line break, doubled quotes,
    /// a blank line, a wrong IBAN and a record that is not UTF-8; each record with its offset and line.
    struct CSVFixture {
        var bytes: [UInt8] = []
        var records: [(offset: Int64, line: Int64, raw: [UInt8])] = []
        var line: Int64 = 1

        static let header = "external_id,first_name,last_name,email,iban,bic,amount,currency,mandate_id,mandate_date,address,city,postcode,country"

        mutating func add(_ record: [UInt8], isRecord: Bool = true) {
            if isRecord { records.append((Int64(bytes.count), line, record)) }
            bytes += record + Array("\r\n".utf8)
            line += 1 + Int64(record.filter { $0 == UInt8(ascii: "\n") }.count)
        }

        static func make() -> CSVFixture {
            var fixture = CSVFixture()
            fixture.add(Array(header.utf8), isRecord: false)
            func row(_ id: String, _ iban: String, address: String, first: String = "Marie") -> [UInt8] {
                Array("\(id),\(first),Oßwald,m.osswald@post.example.net,\(iban),,96.72,EUR,MNDT-\(id),2020-10-25,\(address),Göttingen,37917,DE".utf8)
            }
            fixture.add(row("EXT-1", TestIBAN.unique(), address: "\"Mühlenweg 112\r\n2. Stock\""))
            fixture.add(row("EXT-2", TestIBAN.unique(), address: "\"Haus \"\"Am See\"\", Hof 3\""))
            fixture.add(row("EXT-3", "DE00370400440532013000", address: "Weg 1"))
            fixture.add([], isRecord: false)
            // "René" in Windows-1252 inside an otherwise UTF-8 record: not UTF-8, so rejected.
            fixture.add(row("EXT-4", TestIBAN.unique(), address: "Weg 2", first: "René").replacingUTF8("é", with: [0xE9]))
            fixture.add(row("EXT-5", TestIBAN.unique(), address: "\"Am Markt 5\n(Hinterhaus)\""))
            return fixture
        }

        func record(at offset: Int64) -> [UInt8]? { records.first { $0.offset == offset }?.raw }
    }

    @Test func everyLoadedAndRejectedCSVRowPrintsItsExactSourceBytes() async throws {
        let directory = try Self.temporaryDirectory()
        let fixture = CSVFixture.make()
        let path = directory + "/debtors.csv"
        try Data(fixture.bytes).write(to: URL(fileURLWithPath: path))
        let pipeline = try Self.pipelineFile(in: directory, keepRaw: false)
        let runID = try await load(pipeline, input: path)
        #expect(try await environment.scalar("SELECT count(*) FROM \(pipeline.table) WHERE raw IS NOT NULL") == 0)

        let (accepted, rejected) = try await lineage(runID: runID, table: pipeline.table)
        #expect(accepted.count == 3)
        #expect(rejected.count == 2, "the wrong IBAN and the record that is not UTF-8")
        for (offset, line) in accepted + rejected {
            let expected = try #require(fixture.record(at: offset), "offset \(offset) is a record start")
            // The file's own bytes at that offset, up to the record's line end.
            #expect(Array(fixture.bytes[Int(offset)..<(Int(offset) + expected.count)]) == expected)
            #expect(fixture.bytes[Int(offset) + expected.count] == UInt8(ascii: "\r"))
            let byOffset = try await sluice(["source", runID, "--offset", "\(offset)"])
            #expect(byOffset.status == 0, "\(byOffset.stderr)")
            #expect(byOffset.stdout == expected, "offset \(offset)")
            let byLine = try await sluice(["source", String(runID.prefix(13)), "--line", "\(line)"])
            #expect(byLine.status == 0, "\(byLine.stderr)")
            #expect(byLine.stdout == expected, "line \(line)")
        }
        // The rejected record that is not UTF-8: exact bytes on stdout, base64 in JSON.
        let latin = try #require(fixture.records.first { String(validating: $0.raw, as: UTF8.self) == nil })
        #expect(rejected.contains { $0.0 == latin.offset })
        let json = try await sluice(["source", runID, "--line", "\(latin.line)", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        #expect(object["run_id"] as? String == runID)
        #expect(object["object"] as? String == path)
        #expect(object["line"] as? Int == Int(latin.line))
        #expect(object["offset"] as? Int == Int(latin.offset))
        #expect(object["format"] as? String == "csv")
        #expect((object["raw_base64"] as? String).flatMap { Data(base64Encoded: $0) } == Data(latin.raw))
        // A quoted line break: the record, both lines of it, and `raw` as text without base64.
        let quoted = fixture.records[0]
        let quotedJSON = try await sluice(["source", runID, "--offset", "\(quoted.offset)", "--json"])
        let quotedObject = try #require(try JSONSerialization.jsonObject(with: Data(quotedJSON.stdout)) as? [String: Any])
        #expect(quotedObject["raw"] as? String == String(decoding: quoted.raw, as: UTF8.self))
        #expect(quotedObject["raw_base64"] == nil)

        // Positions that name no record.
        let inside = try await sluice(["source", runID, "--offset", "\(quoted.offset + 5)"])
        #expect(inside.status == 4)
        #expect(inside.stderr.contains("offset \(quoted.offset + 5) is not where a record starts"), "\(inside.stderr)")
        let secondLine = try await sluice(["source", runID, "--line", "\(quoted.line + 1)"])
        #expect(secondLine.status == 4)
        #expect(secondLine.stderr.contains("is not where a record starts"), "\(secondLine.stderr)")
        let header = try await sluice(["source", runID, "--offset", "0"])
        #expect(header.status == 4)
        #expect(header.stderr.contains("it is the header"), "\(header.stderr)")
        let past = try await sluice(["source", runID, "--offset", "\(fixture.bytes.count + 10)"])
        #expect(past.status == 4, "\(past.stderr)")
        #expect(past.stderr.contains("is past them"), "\(past.stderr)")
        let pastLine = try await sluice(["source", runID, "--line", "99"])
        #expect(pastLine.status == 4, "\(pastLine.stderr)")
        #expect(pastLine.stderr.contains("line 99 is past them"), "\(pastLine.stderr)")
        let unknown = try await sluice(["source", "00000000-0000-0000-0000-000000000000", "--line", "2"])
        #expect(unknown.status == 7)
        #expect(unknown.stderr.contains("no run with id"), "\(unknown.stderr)")
        let both = try await sluice(["source", runID, "--line", "2", "--offset", "0"])
        #expect(both.status == 64)

        // A `touch` keeps the content, so the rows still point into it.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: path)
        let touched = try await sluice(["source", runID, "--offset", "\(quoted.offset)"])
        #expect(touched.status == 0, "\(touched.stderr)")
        #expect(touched.stdout == quoted.raw)
    }

    @Test func aLocalFileThatChangedOrIsGoneFailsNamingIt() async throws {
        let directory = try Self.temporaryDirectory()
        let fixture = CSVFixture.make()
        let path = directory + "/debtors.csv"
        try Data(fixture.bytes).write(to: URL(fileURLWithPath: path))
        let pipeline = try Self.pipelineFile(in: directory, keepRaw: false)
        let runID = try await load(pipeline, input: path)
        let offset = fixture.records[1].offset
        #expect(try await sluice(["source", runID, "--offset", "\(offset)"]).stdout == fixture.records[1].raw)

        // Same size, one byte different: only the content hash can tell.
        var edited = fixture.bytes
        edited[Int(offset) + 4] = UInt8(ascii: "9")
        try Data(edited).write(to: URL(fileURLWithPath: path))
        let changed = try await sluice(["source", runID, "--offset", "\(offset)"])
        #expect(changed.status == 5)
        #expect(changed.stdout.isEmpty)
        #expect(changed.stderr.contains(path), "\(changed.stderr)")
        #expect(changed.stderr.contains("changed since run \(runID)"), "\(changed.stderr)")
        #expect(changed.stderr.contains("[source_changed]"), "\(changed.stderr)")

        try FileManager.default.removeItem(atPath: path)
        let gone = try await sluice(["source", runID, "--offset", "\(offset)"])
        #expect(gone.status == 5)
        #expect(gone.stderr.contains(path), "\(gone.stderr)")
        #expect(gone.stderr.contains("is gone"), "\(gone.stderr)")
    }

    @Test func aWindows1252RecordComesOutAsTheDecoderConvertedItWithThePipeline() async throws {
        let directory = try Self.temporaryDirectory()
        let path = IntegrationEnvironment.path("Samples/debtors-1k-cp1252.csv")
        let pipeline = try IntegrationEnvironment.pipelineFile("src", in: directory) { _, yaml in
            yaml = yaml.replacingOccurrences(of: "keep_raw: false", with: "keep_raw: true")
            yaml = yaml.replacingOccurrences(of: "encoding: utf-8", with: "encoding: windows-1252")
        }
        let runID = try await load(pipeline, input: path, batchSize: 100)
        let rows = try await environment.strings("""
            SELECT source_offset || ':' || encode(convert_to(raw, 'UTF8'), 'hex') FROM \(pipeline.table)
            WHERE run_id = '\(runID)' AND octet_length(raw) <> char_length(raw) ORDER BY source_offset DESC LIMIT 3
            """)
        #expect(rows.count == 3)
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for row in rows {
            let parts = row.split(separator: ":")
            let offset = Int(parts[0])!
            let converted = Self.bytes(hex: String(parts[1]))
            let found = try await sluice(["source", runID, "--offset", "\(offset)", "--pipeline", pipeline.path])
            #expect(found.status == 0, "\(found.stderr)")
            #expect(found.stdout == converted, "offset \(offset)")
            // Without the pipeline the encoding is unknown: the file's own bytes come out.
            let asInFile = try await sluice(["source", runID, "--offset", "\(offset)"])
            #expect(asInFile.stdout != converted)
            #expect(Array(file[offset..<(offset + asInFile.stdout.count)]) == asInFile.stdout)
        }
    }

    // MARK: - S3

    @Test func rowsOfAnS3ObjectAndOfAGzippedOneAreFoundAndAChangedObjectFails() async throws {
        let directory = try Self.temporaryDirectory()
        let fixture = CSVFixture.make()
        let path = directory + "/debtors.csv"
        try Data(fixture.bytes).write(to: URL(fileURLWithPath: path))
        try CompressedInputTests.compress(path, to: path + ".gz", members: 2)
        let prefix = "it/\(UUID())"
        let plainInput = try await environment.upload(path, key: "\(prefix)/debtors.csv")
        let gzipInput = try await environment.upload(path + ".gz", key: "\(prefix)/debtors.csv.gz")

        for input in [plainInput, gzipInput] {
            let pipeline = try Self.pipelineFile(in: directory, keepRaw: false)
            let runID = try await load(pipeline, input: input)
            let (accepted, rejected) = try await lineage(runID: runID, table: pipeline.table)
            #expect(accepted.count == 3 && rejected.count == 2, "\(input)")
            // Offsets of a gzip object are offsets in the decompressed text: the same as the plain file's.
            for (offset, line) in accepted + rejected {
                let expected = try #require(fixture.record(at: offset), "\(input): offset \(offset)")
                let found = try await sluice(["source", runID, "--offset", "\(offset)", "--pipeline", pipeline.path])
                #expect(found.status == 0, "\(found.stderr)")
                #expect(found.stdout == expected, "\(input): offset \(offset)")
                #expect(try await sluice(["source", runID, "--line", "\(line)"]).stdout == expected, "\(input): line \(line)")
            }
            let json = try await sluice(["source", runID, "--offset", "\(fixture.records[0].offset)", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
            #expect(object["object"] as? String == input)

            // Another version of the object under the same key: refused, naming it.
            _ = try await environment.s3Client().putObject(
                bucket: environment.bucket, key: String(input.dropFirst("s3://\(environment.bucket)/".count)), bytes: Array("external_id\r\nX\r\n".utf8))
            let changed = try await sluice(["source", runID, "--offset", "\(fixture.records[0].offset)"])
            #expect(changed.status == 5)
            #expect(changed.stdout.isEmpty)
            #expect(changed.stderr.contains(input), "\(changed.stderr)")
            #expect(changed.stderr.contains("changed since run \(runID)"), "\(changed.stderr)")
        }
        let other = try Self.pipelineFile(in: directory, keepRaw: false)
        let run = try await environment.strings("SELECT id::text FROM sluice.runs WHERE object_uri = '\(plainInput)' LIMIT 1")
        let wrongPipeline = try await sluice(["source", run[0], "--line", "2", "--pipeline", other.path])
        #expect(wrongPipeline.status == 4)
        #expect(wrongPipeline.stderr.contains("belongs to pipeline"), "\(wrongPipeline.stderr)")
    }

    // MARK: - XLSX

    @Test func aSheetRowPrintsWhatRawHoldsWithKeepRaw() async throws {
        let directory = try Self.temporaryDirectory()
        let header = TinyWorkbook.row("1", ["external_id", "first_name", "last_name", "iban", "amount", "address"])
        let rows = [
            TinyWorkbook.row("2", ["X1", "Anna", "Schmidt", TestIBAN.unique(), "12.00", "Hof 3, Haus \"B\""]),
            TinyWorkbook.row("3", ["X2", "Paul", "Kraus", TestIBAN.unique(), "13.00", "Line 1\nLine 2"]),
            TinyWorkbook.row("4", ["X3", "Bad", "IBAN", "DE00370400440532013000", "14.00"]),
            TinyWorkbook.row("6", []),
            TinyWorkbook.row("7", ["X4", "Jörg", "Groß", TestIBAN.unique(), "15.00"]),
            // The same row number twice: positions tell them apart, row numbers cannot.
            TinyWorkbook.row("9", ["X5", "Eva", "Weiß", TestIBAN.unique(), "16.00"]),
            TinyWorkbook.row("9", ["X6", "Tom", "Roth", TestIBAN.unique(), "17.00"]),
        ]
        let path = directory + "/debtors.xlsx"
        try Data(TinyWorkbook.bytes(rows: [header] + rows)).write(to: URL(fileURLWithPath: path))
        let withRaw = try Self.pipelineFile(in: directory, keepRaw: true)
        let withoutRaw = try Self.pipelineFile(in: directory, keepRaw: false)
        let rawRun = try await load(withRaw, input: path)
        let runID = try await load(withoutRaw, input: path)
        #expect(try await environment.scalar("SELECT count(*) FROM \(withoutRaw.table) WHERE raw IS NOT NULL") == 0)

        let (accepted, rejected) = try await lineage(runID: runID, table: withoutRaw.table)
        #expect(accepted.count == 5)
        #expect(rejected.count == 1)
        for (position, line) in accepted {
            let stored = try await environment.strings(
                "SELECT encode(convert_to(raw, 'UTF8'), 'hex') FROM \(withRaw.table) WHERE run_id = '\(rawRun)' AND source_offset = \(position)")
            let expected = try #require(stored.first.map(Self.bytes(hex:)), "position \(position)")
            let found = try await sluice(["source", runID, "--offset", "\(position)"])
            #expect(found.status == 0, "\(found.stderr)")
            #expect(found.stdout == expected, "position \(position)")
            if line != 9 {
                #expect(try await sluice(["source", runID, "--line", "\(line)"]).stdout == expected, "line \(line)")
            }
        }
        for (position, line) in rejected {
            let stored = try await environment.strings("""
                SELECT DISTINCT encode(raw, 'hex') FROM sluice.rejections WHERE run_id = '\(runID)' AND byte_offset = \(position)
                """)
            let expected = try #require(stored.first.map(Self.bytes(hex:)))
            #expect(String(decoding: expected, as: UTF8.self).hasPrefix("X3,Bad,IBAN,"))
            #expect(try await sluice(["source", runID, "--line", "\(line)"]).stdout == expected)
            let json = try await sluice(["source", runID, "--offset", "\(position)", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
            #expect(object["format"] as? String == "xlsx")
            #expect(object["sheet"] as? String == "Sheet1")
            #expect(object["raw"] as? String == String(decoding: expected, as: UTF8.self))
        }
        let repeated = try await sluice(["source", runID, "--line", "9"])
        #expect(repeated.status == 4)
        #expect(repeated.stderr.contains("2 rows numbered 9"), "\(repeated.stderr)")
        let blank = try await sluice(["source", runID, "--offset", "\(accepted.map(\.0).sorted()[2] - 1)"])
        #expect(blank.status == 4)
        #expect(blank.stderr.contains("blank row"), "\(blank.stderr)")
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}

extension Array where Element == UInt8 {
    /// The bytes with every UTF-8 encoding of `text` replaced, e.g. to write Windows-1252 bytes.
    fileprivate func replacingUTF8(_ text: String, with replacement: [UInt8]) -> [UInt8] {
        let needle = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < count {
            if index + needle.count <= count, Array(self[index..<(index + needle.count)]) == needle {
                result += replacement
                index += needle.count
            } else {
                result.append(self[index])
                index += 1
            }
        }
        return result
    }
}
