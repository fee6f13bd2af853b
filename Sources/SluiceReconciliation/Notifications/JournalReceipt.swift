/// What the journal did with a notification; every case is durable when it is returned.
public enum JournalReceipt: String, Sendable, Hashable {
    /// Stored, with a job to process it.
    case stored
    /// Stored before: counted as a duplicate, not processed again.
    case duplicate
    /// Its signature failed: stored for audit, never processed.
    case signatureFailed = "signature_failed"
}
