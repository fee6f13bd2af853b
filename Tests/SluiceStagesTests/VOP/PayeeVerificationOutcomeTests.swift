import SluiceCore
import SluiceStages
import Testing

struct PayeeVerificationOutcomeTests {
    @Test(arguments: [
        ("MTCH", PayeeVerificationOutcome.match),
        ("CMTC", .closeMatch(matchedName: "Jane Doe")),
        ("NMTC", .noMatch),
        ("NOAP", .notPossible),
        (" mtch ", .match),
    ])
    func epcCodesMapToOneOutcome(code: String, outcome: PayeeVerificationOutcome) throws {
        #expect(try PayeeVerificationOutcome(epcCode: code, matchedName: "Jane Doe") == outcome)
    }

    @Test func aCloseMatchWithoutAMatchedNameKeepsNone() throws {
        #expect(try PayeeVerificationOutcome(epcCode: "CMTC") == .closeMatch(matchedName: nil))
        #expect(try PayeeVerificationOutcome(epcCode: "CMTC", matchedName: "  ") == .closeMatch(matchedName: nil))
        #expect(try PayeeVerificationOutcome(epcCode: "CMTC", matchedName: " J. Doe ") == .closeMatch(matchedName: "J. Doe"))
    }

    @Test(arguments: [
        ("yes", PayeeVerificationOutcome.match),
        ("partial", .closeMatch(matchedName: nil)),
        ("no", .noMatch),
        ("unavailable", .notPossible),
        ("YES", .match),
        (" Partial\n", .closeMatch(matchedName: nil)),
    ])
    func bavAnswersMapToOneOutcome(answer: String, outcome: PayeeVerificationOutcome) throws {
        #expect(try PayeeVerificationOutcome(bavNameMatch: answer) == outcome)
    }

    @Test(arguments: ["MTC", "", "MATCH", "CMTC2", "null"])
    func anUnknownEPCCodeIsAnErrorNamingIt(code: String) {
        #expect {
            _ = try PayeeVerificationOutcome(epcCode: code)
        } throws: { error in
            guard let error = error as? PayeeVerificationError else { return false }
            return error.code == .unknownEPCCode && error.value == code && error.description.contains("\"\(code)\"")
        }
    }

    @Test(arguments: ["maybe", "", "true", "y"])
    func anUnknownBAVAnswerIsAnErrorNamingIt(answer: String) {
        #expect {
            _ = try PayeeVerificationOutcome(bavNameMatch: answer)
        } throws: { error in
            guard let error = error as? PayeeVerificationError else { return false }
            return error.code == .unknownBAVNameMatch && error.description.contains("\"\(answer)\"")
        }
    }

    @Test func aLongUnknownValueIsCutInTheDescription() {
        let error = PayeeVerificationError(.unknownEPCCode, value: String(repeating: "X", count: 500))
        #expect(error.description.count < 100)
        #expect(error.value.count == 500)
    }

    @Test func everyOutcomeButAMatchHasAReasonCodeAndAMessageWithoutTheMatchedName() throws {
        #expect(PayeeVerificationOutcome.match.reasonCode == nil)
        #expect(PayeeVerificationOutcome.match.reasonMessage == nil)
        let expected: [(PayeeVerificationOutcome, ReasonCode)] = [
            (.closeMatch(matchedName: "Jane Doe"), "vop.close_match"),
            (.noMatch, "vop.no_match"),
            (.notPossible, "vop.not_possible"),
            (.unavailable, "vop.unavailable"),
        ]
        for (outcome, code) in expected {
            #expect(outcome.reasonCode == code)
            let message = try #require(outcome.reasonMessage)
            #expect(!message.contains("Jane"), "a message carries no personal data")
        }
    }
}
