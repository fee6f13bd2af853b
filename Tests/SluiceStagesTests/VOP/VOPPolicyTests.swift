import Foundation
import SluiceStages
import Testing

struct VOPPolicyTests {
    @Test func theDefaultsAcceptMatchesFlagCloseMatchesAndNoAnswersAndRejectTheRest() {
        let policy = VOPPolicy()
        #expect(policy.decision(for: .match) == .accept)
        #expect(policy.decision(for: .closeMatch(matchedName: "Jane Doe")) == .flag(.vopCloseMatch))
        #expect(policy.decision(for: .noMatch) == .reject(.vopNoMatch))
        #expect(policy.decision(for: .notPossible) == .reject(.vopNotPossible))
        #expect(policy.decision(for: .unavailable) == .flag(.vopUnavailable))
    }

    @Test(arguments: [
        (VOPPolicy.UnavailableAction.accept, VOPPolicy.Decision.accept),
        (.reject, .reject(.vopUnavailable)),
        (.flag, .flag(.vopUnavailable)),
        (.pause, .pause),
    ])
    func unavailableRowsCanBeAcceptedRejectedFlaggedOrPauseTheRun(action: VOPPolicy.UnavailableAction, decision: VOPPolicy.Decision) {
        #expect(VOPPolicy(unavailable: action).decision(for: .unavailable) == decision)
    }

    @Test func eachAnswerHasItsOwnAction() {
        let policy = VOPPolicy(closeMatch: .reject, noMatch: .flag, notPossible: .accept)
        #expect(policy.decision(for: .closeMatch(matchedName: nil)) == .reject(.vopCloseMatch))
        #expect(policy.decision(for: .noMatch) == .flag(.vopNoMatch))
        #expect(policy.decision(for: .notPossible) == .accept)
    }

    @Test func aPipelineFileSetsSomeKeysAndTheOthersKeepTheirDefaults() throws {
        let json = #"{"no_match": "flag", "unavailable": "pause"}"#
        let policy = try JSONDecoder().decode(VOPPolicy.self, from: Data(json.utf8))
        #expect(policy == VOPPolicy(noMatch: .flag, unavailable: .pause))
    }

    @Test func onlyUnavailableMayPauseTheRun() {
        let json = #"{"no_match": "pause"}"#
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(VOPPolicy.self, from: Data(json.utf8))
        }
    }
}
