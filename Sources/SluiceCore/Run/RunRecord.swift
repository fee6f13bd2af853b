import Foundation

/// A run: one pipeline applied to one object version, as a row of `sluice.runs` holds it.
///
/// The one description of a run's identity, status and totals. The database layer reads and
/// writes it; `RunSummary` (what `sluice run` prints) and `RunSummaryReport` (what
/// `sluice report summary` prints) carry it and add only what is theirs: what one attempt
/// did, or views of the totals by stage and the timings.
public struct RunRecord: Sendable, Hashable {
    public var id: UUID
    public var pipeline: String
    public var objectURI: String
    public var etag: String
    public var objectSize: Int64
    /// The table the run loads into, as `schema.table`.
    public var targetTable: String
    /// Rows per batch, kept for the run's life so a resume cuts the same batches.
    public var batchRows: Int
    public var status: RunStatus
    /// Totals over every attempt of the run.
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
    /// A load, a dry run or a pipeline test.
    public var mode: RunMode = .load
    /// What the pipeline file said about cutting and mapping batches when the run began (JSON),
    /// held against the file on resume; `nil` for runs from before it was kept.
    public var plan: String?

    public init(
        id: UUID, pipeline: String, objectURI: String, etag: String, objectSize: Int64, targetTable: String, batchRows: Int,
        status: RunStatus, counters: RunCounters = RunCounters(), attempts: Int = 0, error: String? = nil,
        startedAt: Date, updatedAt: Date, finishedAt: Date? = nil, contentSHA256: String? = nil, node: String? = nil,
        mode: RunMode = .load, plan: String? = nil
    ) {
        self.mode = mode
        self.plan = plan
        self.id = id
        self.pipeline = pipeline
        self.objectURI = objectURI
        self.etag = etag
        self.objectSize = objectSize
        self.targetTable = targetTable
        self.batchRows = batchRows
        self.status = status
        self.counters = counters
        self.attempts = attempts
        self.error = error
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
        self.contentSHA256 = contentSHA256
        self.node = node
    }

    /// The id as PostgreSQL prints it (lowercase), as the CLI shows and reports name it.
    public var idText: String { id.uuidString.lowercased() }

    /// From start to finish; `nil` while the run has not finished.
    public var durationSeconds: Double? { finishedAt.map { $0.timeIntervalSince(startedAt) } }
}
