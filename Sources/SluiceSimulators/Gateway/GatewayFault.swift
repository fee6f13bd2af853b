/// A fault the gateway simulator injects into one `/process` call (a sale or a void).
public enum GatewayFault: String, Sendable, Hashable, Codable, CaseIterable {
    /// Answer `errorStatus` (500 by default) without acting on the request: nothing is charged.
    case error
    /// Act on the request (the sale is charged and recorded), then hold the answer for `hangMs`,
    /// so the client times out not knowing the outcome.
    case timeoutAfterAccept
}
