import SluiceCore
import Testing
@testable import SluiceStages

struct DedupStageTests {
    let columns = ValidatedBatch.columns

    @Test func laterRowsWithTheSameKeyAreRejectedNamingTheFirstLine() async throws {
        var batch = try await ValidatedBatch.make([
            "E1,Max,Muster,,DE89370400440532013000,,10.00",
            "E2,Eva,Muster,,DE89370400440532013000,,10.00",
            // The same IBAN written differently, the same amount written differently.
            "E1,Max,Muster,,de89 3704 0044 0532 0130 00,,\"10,00\"",
            "E1,Max,Muster,,DE89370400440532013000,,10.00",
        ])
        let stage = try DedupStage(keyColumns: ["iban", "amount", "external_id"], columns: columns)
        try await stage.process(&batch)
        #expect(ValidatedBatch.verdicts(batch) == [nil, nil, "dedup.in_file", "dedup.in_file"])
        #expect(batch.rejections.map(\.message) == ["same iban + amount + external_id as line 2", "same iban + amount + external_id as line 2"])
        #expect(batch.rejections.allSatisfy { $0.column == "iban" })
    }

    @Test func anIBANOnlyKeyCatchesTheSameAccountWithOtherAmounts() async throws {
        var batch = try await ValidatedBatch.make([
            "E1,Max,Muster,,DE89370400440532013000,,10.00",
            "E2,Max,Muster,,DE89370400440532013000,,99.00",
            "E3,Max,Muster,,GB29NWBK60161331926819,,99.00",
        ])
        try await DedupStage(keyColumns: ["iban"], columns: columns).process(&batch)
        #expect(ValidatedBatch.verdicts(batch) == [nil, "dedup.in_file", nil])
    }

    @Test func keysSpanBatchesAndRejectedRowsAreNotKeyed() async throws {
        let stage = try DedupStage(keyColumns: ["iban"], columns: columns)
        var first = try await ValidatedBatch.make([
            "E1,Max,Muster,,DE89370400440532013001,,10.00",  // bad checksum: rejected by validation
            "E2,Max,Muster,,DE89370400440532013000,,10.00",
        ])
        try await stage.process(&first)
        var second = try await ValidatedBatch.make([
            "E3,Max,Muster,,DE89370400440532013000,,10.00",
        ])
        try await stage.process(&second)
        #expect(ValidatedBatch.verdicts(first) == ["iban.checksum", nil])
        #expect(ValidatedBatch.verdicts(second) == ["dedup.in_file"])
        #expect(second.rejections.first?.message.hasSuffix("line 3") == true)
        #expect(stage.distinctKeys == 1)
    }

    @Test func columnBoundariesArePartOfTheKey() async throws {
        var batch = try await ValidatedBatch.make([
            "AB,Cy,Muster,,DE89370400440532013000,,10.00",
            "A,BCy,Muster,,DE89370400440532013000,,10.00",
            "AB,Cy,Muster,,GB29NWBK60161331926819,,10.00",
        ])
        // external_id + first_name: "AB"+"Cy" and "A"+"BCy" must differ; the third row repeats the first.
        try await DedupStage(keyColumns: ["external_id", "first_name"], columns: columns).process(&batch)
        #expect(ValidatedBatch.verdicts(batch) == [nil, nil, "dedup.in_file"])
    }

    @Test func preloadedRowsCountAsFirstOccurrences() async throws {
        let stage = try DedupStage(keyColumns: ["iban", "amount"], columns: columns)
        stage.preload(line: 7, values: [Array("DE89370400440532013000".utf8), Array("10.00".utf8)])
        var batch = try await ValidatedBatch.make(["E9,Max,Muster,,DE89370400440532013000,,10.00"])
        try await stage.process(&batch)
        #expect(batch.rejections.map(\.message) == ["same iban + amount as line 7"])
    }

    @Test func anUnknownKeyColumnIsAPipelineError() {
        #expect(throws: SluiceError.self) { try DedupStage(keyColumns: ["nope"], columns: columns) }
    }

    @Test func theFingerprintTableKeepsFirstLinesAcrossGrowth() {
        var table = FingerprintTable(capacity: 1024)
        for key in 1...100_000 as ClosedRange<UInt64> {
            #expect(table.insert(key &* 0x9E37_79B9_7F4A_7C15, line: Int64(key)) == nil)
        }
        var mismatches = 0
        for key in 1...100_000 as ClosedRange<UInt64> where table.insert(key &* 0x9E37_79B9_7F4A_7C15, line: 0) != Int64(key) {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(table.count == 100_000)
        // 12 bytes per slot, at most 3/4 full.
        #expect(table.slotCount == 1 << 18)
        #expect(table.bytesUsed == 12 << 18)
    }

    @Test func keyFingerprintsKeepColumnBoundariesAndSpreadEveryLength() {
        func fingerprint(_ values: [String], seed: UInt64 = 42) -> UInt64 {
            var hasher = KeyFingerprint(seed: seed)
            for value in values { Array(value.utf8).withUnsafeBytes { hasher.combine($0) } }
            return hasher.finalize()
        }
        #expect(fingerprint(["ab", "c"]) != fingerprint(["a", "bc"]))
        #expect(fingerprint(["", "x"]) != fingerprint(["x", ""]))
        #expect(fingerprint(["DE89370400440532013000", "10.00"]) == fingerprint(["DE89370400440532013000", "10.00"]))
        #expect(fingerprint(["DE89370400440532013000"], seed: 1) != fingerprint(["DE89370400440532013000"], seed: 2))
        // Every length from 0 to 40 bytes, and keys that differ in one byte anywhere: as many
        // fingerprints as distinct keys.
        var keys = Set<[UInt8]>()
        var fingerprints = Set<UInt64>()
        for length in 0...40 {
            let base = [UInt8](repeating: 0x41, count: length)
            for position in 0..<max(length, 1) {
                for byte in [UInt8(0x41), 0x42, 0x00, 0xFF] {
                    var key = base
                    if length > 0 { key[position] = byte }
                    guard keys.insert(key).inserted else { continue }
                    var hasher = KeyFingerprint(seed: 7)
                    key.withUnsafeBytes { hasher.combine($0) }
                    fingerprints.insert(hasher.finalize())
                }
            }
        }
        #expect(fingerprints.count == keys.count)
    }
}
