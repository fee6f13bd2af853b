import Foundation
import SluiceCore

/// A row of `sluice.runs`: one pipeline applied to one object version.
public struct RunRecord: Sendable, Hashable {
    public typealias Status = RunStatus

    public var id: UUID
    public var pipeline: String
    public var objectURI: String
    public var etag: String
    public var objectSize: Int64
    public var targetTable: String
    public var batchRows: Int
    public var status: Status
    public var counters: RunCounters
    public var attempts: Int
    public var error: String?
    public var startedAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    /// SHA-256 (hex) of a local file's content, recorded when the run was created; `nil` for S3.
    public var contentSHA256: String?
    /// `host/pid` of the process that last ran it.
    public var node: String?

    /// The id as Postgres prints it.
    public var idText: String { id.uuidString.lowercased() }
}

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
