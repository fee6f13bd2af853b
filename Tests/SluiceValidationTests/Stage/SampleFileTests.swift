import Foundation
import SluiceCore
import Testing
@testable import SluiceValidation

/// Runs the stage over the generated samples and compares rejections with what the generator
/// says it injected. Dedup defects belong to a later stage and are left out.
struct SampleFileTests {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples")

    struct Manifest: Decodable {
        struct Defect: Decodable {
            let record: Int
            let code: String
        }
        let delimiter: String
        let encoding: String
        let counts: [String: Int]
        let defects: [Defect]
    }

    @Test(arguments: ["debtors-10k", "debtors-1k-semicolon", "debtors-1k-cp1252"])
    func rejectionsMatchTheManifest(_ name: String) throws {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Self.samples.appendingPathComponent("\(name).manifest.json")))
        let data = try Data(contentsOf: Self.samples.appendingPathComponent("\(name).csv"))
        let text = try #require(manifest.encoding == "utf-8" ? String(data: data, encoding: .utf8) : String(data: data, encoding: .windowsCP1252))
        let records = TinyCSV.parse(text, delimiter: Character(manifest.delimiter))
        let header = try #require(records.first)
        let rows = Array(records.dropFirst())

        var counts: [String: Int] = [:]
        var rejectedRecords: [Int: Set<String>] = [:]
        let stage = ValidationStage(columns: header, today: CalendarDate(year: 2026, month: 11, day: 21) ?? .today())
        for (chunkIndex, chunk) in stride(from: 0, to: rows.count, by: 4096).map({ Array(rows[$0..<min($0 + 4096, rows.count)]) }).enumerated() {
            var batch = try BatchBuilder.batch(header: header, rows: chunk, required: ["external_id", "iban", "amount"])
            try stage.validate(&batch)
            for rejection in batch.rejections {
                counts[rejection.code.rawValue, default: 0] += 1
                rejectedRecords[chunkIndex * 4096 + Int(rejection.row) + 1, default: []].insert(rejection.code.rawValue)
            }
        }

        let expected = manifest.counts.filter { !$0.key.hasPrefix("dedup.") && $0.value > 0 }
        #expect(counts == expected)
        // Each injected defect is found on its own record, and no other record is rejected.
        let injected = Dictionary(manifest.defects.filter { !$0.code.hasPrefix("dedup.") }.map { ($0.record, $0.code) }, uniquingKeysWith: { a, _ in a })
        for (record, code) in injected {
            #expect(rejectedRecords[record] == [code], "record \(record): expected \(code), got \(rejectedRecords[record] ?? [])")
        }
        #expect(Set(rejectedRecords.keys) == Set(injected.keys))
    }
}

/// Just enough RFC 4180 to read the samples: quoted fields, doubled quotes, CRLF or LF.
enum TinyCSV {
    static func parse(_ text: String, delimiter: Character) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        let delimiterScalar = delimiter.unicodeScalars.first ?? ","
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" && field.isEmpty {
                inQuotes = true
            } else if scalar == delimiterScalar {
                record.append(field)
                field = ""
            } else if scalar == "\r" {
                continue
            } else if scalar == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        if let first = records.first?.first, first.hasPrefix("\u{FEFF}") {
            records[0][0] = String(first.dropFirst())
        }
        return records
    }
}
