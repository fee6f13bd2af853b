import Foundation

/// The gateway `transaction_id` of an attempt: deterministic from the run and the row, so every
/// retry, on any node, names the same transaction, and the gateway refuses a second charge
/// under it (code 450).
public enum TransactionIDs {
    /// `sl-<run id without dashes>-<source line>`, at most 52 characters.
    public static func forAttempt(runID: UUID, sourceLine: Int64) -> String {
        "sl-\(runID.uuidString.lowercased().replacingOccurrences(of: "-", with: ""))-\(sourceLine)"
    }
}
