/// The public error of Sluice: a stable code plus the context that locates the problem.
///
/// `description` never contains row data (it may hold personal data); `debugDescription` adds
/// the underlying error and the detail text.
public struct SluiceError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable, machine-readable error category.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }

        public static let invalidArgument = Code(raw: "invalid_argument")
        public static let invalidPipeline = Code(raw: "invalid_pipeline")
        public static let sourceNotFound = Code(raw: "source_not_found")
        public static let sourceChanged = Code(raw: "source_changed")
        public static let sourceRead = Code(raw: "source_read")
        public static let s3 = Code(raw: "s3")
        public static let database = Code(raw: "database")
        public static let format = Code(raw: "format")
        public static let alreadyLoaded = Code(raw: "already_loaded")
        public static let runNotFound = Code(raw: "run_not_found")
        public static let runNotResumable = Code(raw: "run_not_resumable")
        public static let internalError = Code(raw: "internal")
        /// A run's rows did not add up (rows seen ≠ accepted + rejected + skipped, or a gap
        /// between checkpoints): the run is failed rather than completed.
        public static let invariantBroken = Code(raw: "invariant_broken")
        /// Another process holds the run's lease and did not let go within the wait.
        public static let runLocked = Code(raw: "run_locked")
        /// This process's lease on the run expired or was taken over: it may not commit.
        public static let leaseLost = Code(raw: "lease_lost")
        /// The payment gateway gave no usable answer (yet).
        public static let gateway = Code(raw: "gateway")
        /// The run cannot be billed in the state it is in (not completed).
        public static let notBillable = Code(raw: "not_billable")
        /// A notification, attempt or other record named by id does not exist.
        public static let notFound = Code(raw: "not_found")
        /// The record cannot be processed again (a notification whose signature failed).
        public static let notReplayable = Code(raw: "not_replayable")
    }

    public var code: Code
    /// A human-readable reason, free of row data.
    public var reason: String
    public var pipeline: String?
    public var stage: StageName?
    public var object: String?
    public var line: Int64?
    public var column: String?
    public var underlying: (any Error)?

    public init(
        _ code: Code,
        _ reason: String,
        pipeline: String? = nil,
        stage: StageName? = nil,
        object: String? = nil,
        line: Int64? = nil,
        column: String? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.reason = reason
        self.pipeline = pipeline
        self.stage = stage
        self.object = object
        self.line = line
        self.column = column
        self.underlying = underlying
    }

    public var description: String {
        var parts: [String] = []
        if let pipeline { parts.append("pipeline \(pipeline)") }
        if let stage { parts.append("stage \(stage)") }
        if let object { parts.append(object) }
        if let line { parts.append("line \(line)") }
        if let column { parts.append("column \(column)") }
        let location = parts.isEmpty ? "" : parts.joined(separator: ", ") + ": "
        return "\(location)\(reason) [\(code)]"
    }

    public var debugDescription: String {
        guard let underlying else { return description }
        return "\(description) (underlying: \(String(reflecting: underlying)))"
    }

    /// The same error with the context fields that are still empty filled in.
    public func adding(pipeline: String? = nil, stage: StageName? = nil, object: String? = nil) -> SluiceError {
        var copy = self
        copy.pipeline = copy.pipeline ?? pipeline
        copy.stage = copy.stage ?? stage
        copy.object = copy.object ?? object
        return copy
    }
}
