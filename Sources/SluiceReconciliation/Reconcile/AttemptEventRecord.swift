import Foundation

/// One row of an attempt's history (`sluice.attempt_events`): a status the gateway told, by
/// which way, and whether it was applied.
public struct AttemptEventRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var attemptID: Int64
    public var fromStatus: String
    public var toStatus: String
    public var applied: Bool
    /// `ChangeSource` raw value: `notification`, `reconcile`, `by_date`, `chargeback_sync`, or billing's own.
    public var source: String
    public var notificationID: Int64?
    public var reasonCode: String?
    public var detail: String
    public var createdAt: Date

    public init(
        id: Int64, attemptID: Int64, fromStatus: String, toStatus: String, applied: Bool, source: String, notificationID: Int64?,
        reasonCode: String?, detail: String, createdAt: Date
    ) {
        self.id = id
        self.attemptID = attemptID
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.applied = applied
        self.source = source
        self.notificationID = notificationID
        self.reasonCode = reasonCode
        self.detail = detail
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, applied, source, detail
        case attemptID = "attempt_id"
        case fromStatus = "from_status"
        case toStatus = "to_status"
        case notificationID = "notification_id"
        case reasonCode = "reason_code"
        case createdAt = "created_at"
    }
}
