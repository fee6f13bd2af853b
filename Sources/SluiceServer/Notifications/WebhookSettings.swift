import Foundation
import SluiceCore
import SluiceGenesis
import SluiceReconciliation

/// How `POST /webhooks/genesis/{endpoint_token}` is set up (docs/notifications.md):
///
/// - `SLUICE_GENESIS_ENDPOINTS`: `token=terminal` pairs, comma-separated. Each terminal's
///   password is its API password (`SLUICE_GENESIS_PASSWORD_<TERMINAL>`, else `SLUICE_GENESIS_PASSWORD`).
/// - `SLUICE_WEBHOOK_ALLOW`: source networks allowed (CIDR, comma-separated); empty: all.
/// - `SLUICE_WEBHOOK_RATE`: notifications a second per source address (default 5000).
/// - `SLUICE_CHARGEBACK_BLACKLIST_CODES`: the auto-blacklist codes (see `ChargebackPolicy`).
public struct WebhookSettings: Sendable {
    public var endpoints: [String: GenesisEndpoint]
    public var allowList: AddressAllowList
    public var ratePerSecond: Double
    /// The largest body taken.
    public var maxBytes: Int

    public init(endpoints: [GenesisEndpoint], allowList: AddressAllowList = .everyone, ratePerSecond: Double = 5000, maxBytes: Int = 64 << 10) {
        self.endpoints = Dictionary(endpoints.map { ($0.token, $0) }, uniquingKeysWith: { first, _ in first })
        self.allowList = allowList
        self.ratePerSecond = ratePerSecond
        self.maxBytes = maxBytes
    }

    /// From the environment; `nil` when no endpoint is configured (the webhook then answers 403).
    public static func fromEnvironment(_ environment: [String: String]) throws -> WebhookSettings? {
        guard let list = environment["SLUICE_GENESIS_ENDPOINTS"], !list.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        var endpoints: [GenesisEndpoint] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].count >= 16, !parts[1].isEmpty else {
                throw SluiceError(.invalidArgument, "SLUICE_GENESIS_ENDPOINTS: '\(entry)' is not token=terminal with a token of 16 characters or more")
            }
            let suffix = GenesisConfiguration.environmentSuffix(parts[1])
            let names = ["SLUICE_GENESIS_PASSWORD_\(suffix)", "SLUICE_GENESIS_PASSWORD"]
            guard let password = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else {
                throw SluiceError(.invalidArgument, "SLUICE_GENESIS_ENDPOINTS: terminal \(parts[1]) needs \(names[0]) or \(names[1]) (its API password signs its notifications)")
            }
            endpoints.append(GenesisEndpoint(token: parts[0], terminal: parts[1], password: password))
        }
        let rateText = environment["SLUICE_WEBHOOK_RATE"] ?? "5000"
        guard let rate = Double(rateText), rate > 0, rate.isFinite else {
            throw SluiceError(.invalidArgument, "SLUICE_WEBHOOK_RATE must be a positive number of notifications a second, found '\(rateText)'")
        }
        return WebhookSettings(endpoints: endpoints, allowList: try AddressAllowList(parsing: environment["SLUICE_WEBHOOK_ALLOW"] ?? ""), ratePerSecond: rate)
    }
}
