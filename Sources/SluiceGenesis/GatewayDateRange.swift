/// A date range for the by-date endpoints, as the gateway writes dates: `yyyy-MM-dd`.
public struct GatewayDateRange: Sendable, Hashable {
    public var startDate: String
    public var endDate: String

    public init(startDate: String, endDate: String) {
        self.startDate = startDate
        self.endDate = endDate
    }
}
