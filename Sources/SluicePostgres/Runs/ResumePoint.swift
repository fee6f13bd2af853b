/// Where a run continues: after the longest run of committed batches from the start, and
/// which later batches are committed already (they are decoded again but not loaded).
public struct ResumePoint: Sendable, Hashable {
    public var offset: Int64?
    public var line: Int64?
    public var nextSequence: Int
    /// Batches committed past the resume point, by sequence, so a batch decoded again can be
    /// checked against what was committed for it: the same sequence must cover the same span.
    public var laterCheckpoints: [Int: Checkpoint]
    /// The sequences of `laterCheckpoints`: decoded again but not loaded.
    public var committedAfter: Set<Int> { Set(laterCheckpoints.keys) }

    public init(checkpoints: [Checkpoint]) {
        let bySequence = Dictionary(checkpoints.map { ($0.batchSequence, $0) }, uniquingKeysWith: { first, _ in first })
        var sequence = 0
        var last: Checkpoint?
        while let checkpoint = bySequence[sequence] {
            last = checkpoint
            sequence += 1
        }
        offset = last?.nextOffset
        line = last?.nextLine
        nextSequence = sequence
        laterCheckpoints = bySequence.filter { $0.key > sequence }
    }
}
