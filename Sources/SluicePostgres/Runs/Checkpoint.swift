/// A committed batch of a run, read back to resume it.
public struct Checkpoint: Sendable, Hashable {
    public var batchSequence: Int
    public var startOffset: Int64
    public var nextOffset: Int64
    public var nextLine: Int64

    public init(batchSequence: Int, startOffset: Int64, nextOffset: Int64, nextLine: Int64) {
        self.batchSequence = batchSequence
        self.startOffset = startOffset
        self.nextOffset = nextOffset
        self.nextLine = nextLine
    }
}
