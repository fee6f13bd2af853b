import SluiceCore

/// What one case of `sluice test` found: passed, or the differences between what the fixture
/// expects and what the pipeline did, one readable line each.
public struct PipelineTestResult: Sendable {
    public var pipeline: String
    public var fixture: PipelineFixture
    /// `expected …, got …` lines; empty when the case passed.
    public var differences: [String]
    /// The run, when it got that far.
    public var counters: RunCounters?
    public var seconds: Double

    public var passed: Bool { differences.isEmpty }

    /// `PASS debtors (pipelines/tests/debtors): 9 accepted, 3 rejected, 1 flagged in 0.41 s`,
    /// or `FAIL …` with the differences under it.
    public var text: String {
        var counts = ""
        if let counters {
            counts = ": \(counters.rowsAccepted) accepted, \(counters.rowsRejected) rejected, \(counters.rowsFlagged) flagged"
        }
        let head = "\(passed ? "PASS" : "FAIL") \(pipeline) (\(fixture.folder))\(counts) in \(HumanNumbers.fixed(seconds, 2)) s"
        guard !passed else { return head }
        return ([head] + differences.map { "    \($0)" }).joined(separator: "\n")
    }

    /// The differences between expected and actual counts per code: codes missing, extra or off.
    static func countDifferences(_ noun: String, expected: [String: Int64], actual: [String: Int64]) -> [String] {
        var lines: [String] = []
        for code in Set(expected.keys).union(actual.keys).sorted() {
            let want = expected[code] ?? 0, got = actual[code] ?? 0
            guard want != got else { continue }
            let listed = expected[code] == nil ? " (not listed)" : ""
            lines.append("\(noun) \(code): expected \(want)\(listed), got \(got)")
        }
        return lines
    }
}
