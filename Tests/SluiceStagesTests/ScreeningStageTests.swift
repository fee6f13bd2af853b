import SluiceCore
import Testing
@testable import SluiceStages

struct ScreeningStageTests {
    let columns = ValidatedBatch.columns

    func index(_ entries: [(BlacklistKind, String)]) throws -> BlacklistIndex {
        var index = BlacklistIndex()
        for (kind, value) in entries { index.add(kind: kind, key: try kind.normalize(value).key) }
        return index
    }

    @Test func eachBlacklistKindRejectsWithItsOwnCode() async throws {
        var batch = try await ValidatedBatch.make([
            "E1,Max,Muster,,DE89370400440532013000,,10.00",
            "E2,Zoë,Ångström,,GB29NWBK60161331926819,,10.00",
            "E3,Eva,Klar,Eva@Example.COM,NL91ABNA0417164300,,10.00",
            "E4,Eva,Klar,,BE68539007547034,GEBABEBB,10.00",
            "E5,Eva,Klar,,FR1420041010050500013M02606,BNPAFRPPXXX,10.00",
            "E6,Eva,Klar,,AT611904300234573201,,10.00",
        ])
        let stage = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([
            (.iban, "de89 3704 0044 0532 0130 00"), (.name, "ZOE  angstrom"), (.email, " eva@example.com "),
            (.bic, "GEBABEBBXXX"), (.bicPrefix, "bnpa"),
        ]), history: nil)
        try await stage.process(&batch)
        #expect(ValidatedBatch.verdicts(batch) == ["blacklist.iban", "blacklist.name", "blacklist.email", "blacklist.bic", "blacklist.bic", nil])
        #expect(batch.rejections.map(\.column) == ["iban", "first_name", "email", "bic", "bic"])
    }

    @Test func theFirstMatchingCheckInDomainOrderWins() async throws {
        var batch = try await ValidatedBatch.make([
            "E1,Max,Muster,max@example.com,DE89370400440532013000,,10.00",
            "E2,Max,Muster,max@example.com,GB29NWBK60161331926819,,10.00",
            "E3,Eva,Klar,max@example.com,NL91ABNA0417164300,,10.00",
        ])
        let stage = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([
            (.iban, "DE89370400440532013000"), (.name, "Max Muster"), (.email, "max@example.com"),
        ]), history: nil)
        let digests = stage.ibanDigests(of: batch)
        // History sits between the IBAN blacklist and the name: GB29… was charged back.
        let charged = IBANDigest(iban: "GB29NWBK60161331926819")
        stage.screen(&batch, digests: digests, history: [charged: HistoryFlags(chargedBack: true, recentlyAttempted: true)])
        #expect(ValidatedBatch.verdicts(batch) == ["blacklist.iban", "history.chargeback", "blacklist.email"])
        #expect(batch.rejections.count == 3, "one reason per row")
    }

    @Test func cooldownAloneAndDisabledChecks() async throws {
        var batch = try await ValidatedBatch.make(["E1,Max,Muster,,DE89370400440532013000,,10.00", "E2,Max,Muster,,GB29NWBK60161331926819,,10.00"])
        let rules = ScreeningRules(checks: [.cooldown])
        let stage = ScreeningStage(columns: columns, rules: rules, index: try index([(.iban, "DE89370400440532013000")]), history: nil)
        let recent = IBANDigest(iban: "GB29NWBK60161331926819")
        stage.screen(&batch, digests: stage.ibanDigests(of: batch), history: [recent: HistoryFlags(chargedBack: false, recentlyAttempted: true)])
        #expect(ValidatedBatch.verdicts(batch) == [nil, "history.cooldown"])
        #expect(batch.rejections.first?.message == "IBAN was charged by another run in the last 30 days")
    }

    @Test func rowsRejectedEarlierAreNotScreened() async throws {
        var batch = try await ValidatedBatch.make(["E1,Max,Muster,,DE89370400440532013001,,10.00"])
        let stage = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([(.name, "Max Muster")]), history: nil)
        try await stage.process(&batch)
        #expect(batch.rejections.map(\.code.rawValue) == ["iban.checksum"])
    }

    @Test func rowsAreHashedOnlyWhenAnIBANCheckCanMatch() async throws {
        let nameOnly = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([(.name, "Max Muster")]), history: nil)
        #expect(!nameOnly.needsDigests, "no IBAN entry and no history: no SHA-256 per row")
        let withIBAN = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([(.iban, "DE89370400440532013000")]), history: nil)
        #expect(withIBAN.needsDigests)

        struct History: HistoryLookup {
            let candidates: Int
            func historyFlags(for digests: [IBANDigest]) async throws -> [IBANDigest: HistoryFlags] {
                Dictionary(uniqueKeysWithValues: digests.map { ($0, HistoryFlags(chargedBack: true, recentlyAttempted: false)) })
            }
        }
        let noCandidates = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([(.name, "Nobody Here")]), history: History(candidates: 0))
        #expect(!noCandidates.needsDigests, "history without any candidate IBAN: no SHA-256 per row")
        let someCandidates = ScreeningStage(columns: columns, rules: ScreeningRules(), index: try index([(.name, "Nobody Here")]), history: History(candidates: 1))
        #expect(someCandidates.needsDigests)
        var charged = try await ValidatedBatch.make(["E1,Max,Muster,,DE89370400440532013000,,10.00"])
        try await someCandidates.process(&charged)
        #expect(ValidatedBatch.verdicts(charged) == ["history.chargeback"], "with candidates, rows are hashed and looked up")

        var batch = try await ValidatedBatch.make(["E1,Max,Muster,,DE89370400440532013000,,10.00", "E2,Eva,Klar,,DE89370400440532013000,,10.00"])
        try await nameOnly.process(&batch)
        #expect(ValidatedBatch.verdicts(batch) == ["blacklist.name", nil], "the name check works without digests")
    }
}
