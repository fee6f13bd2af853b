import Foundation

/// What a `billing` job asks for: bill one run's rows.
public struct BillingJobPayload: Sendable, Hashable, Codable {
    public var runID: UUID

    public init(runID: UUID) {
        self.runID = runID
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
    }
}
