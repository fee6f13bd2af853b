import SluiceCore
import SluiceGenesis
import SluiceJobs

/// The payload of the reconciliation jobs: a terminal (every terminal billing has used when
/// absent) and, for `reconcile.by_date` and `chargebacks.sync`, the days to cover.
///
/// ```json
/// {"terminal": "t1", "start_date": "2025-03-01", "end_date": "2025-03-02"}
/// ```
public struct ReconciliationJobPayload: Sendable, Hashable, Codable {
    public var terminal: String?
    /// `yyyy-MM-dd`, both included.
    public var startDate: String?
    public var endDate: String?

    public init(terminal: String? = nil, startDate: String? = nil, endDate: String? = nil) {
        self.terminal = terminal
        self.startDate = startDate
        self.endDate = endDate
    }

    public init(terminal: String?, range: GatewayDateRange) {
        self.init(terminal: terminal, startDate: range.startDate, endDate: range.endDate)
    }

    enum CodingKeys: String, CodingKey {
        case terminal
        case startDate = "start_date"
        case endDate = "end_date"
    }

    /// The range the job covers.
    ///
    /// - Throws: `JobFailedPermanently` when a date is missing or is not a date: running the
    ///   job again would not help.
    public func range() throws -> GatewayDateRange {
        guard let startDate, let endDate else { throw JobFailedPermanently("the payload needs start_date and end_date (yyyy-MM-dd)") }
        do {
            return try GatewayDateRange.validated(start: startDate, end: endDate)
        } catch let error as SluiceError {
            throw JobFailedPermanently(error.reason)
        }
    }

    /// The payload of `job`, or `JobFailedPermanently` when it is not one.
    static func decode(_ job: ClaimedJob) throws -> ReconciliationJobPayload {
        do {
            return try job.decodePayload(as: ReconciliationJobPayload.self)
        } catch {
            throw JobFailedPermanently("the payload of job \(job.id) is not a reconciliation payload: \(error)")
        }
    }
}
