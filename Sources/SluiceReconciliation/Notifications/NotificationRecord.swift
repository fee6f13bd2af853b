import Foundation

/// A stored notification, as the API and the CLI show it. The body's fields are shown
/// without the signature.
public struct NotificationRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var terminal: String
    public var uniqueID: String
    public var transactionID: String
    public var transactionType: String
    public var status: String
    public var event: String
    public var signatureOK: Bool
    public var sourceAddress: String
    public var receivedAt: Date
    public var duplicates: Int
    public var lastReceivedAt: Date
    public var processedAt: Date?
    /// `ObservationOutcome`'s raw value; `nil` until processed (and for a failed signature).
    public var outcome: String?
    public var outcomeDetail: String
    public var attemptID: Int64?
    public var replays: Int
    /// The form fields, `signature` left out; only on a single notification.
    public var fields: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, terminal, status, event, duplicates, outcome, replays, fields
        case uniqueID = "unique_id", transactionID = "transaction_id", transactionType = "transaction_type", signatureOK = "signature_ok"
        case sourceAddress = "source_address", receivedAt = "received_at", lastReceivedAt = "last_received_at", processedAt = "processed_at"
        case outcomeDetail = "outcome_detail", attemptID = "attempt_id"
    }
}
