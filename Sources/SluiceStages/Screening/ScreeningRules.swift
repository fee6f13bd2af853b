import SluiceCore

/// The `screening:` section of a pipeline file.
public struct ScreeningRules: Sendable, Hashable, Decodable {
    /// The checks, in the order they are tried; a row is rejected for the first that matches.
    public enum Check: String, Sendable, Hashable, Decodable, CaseIterable {
        case ibanBlacklist = "iban_blacklist"
        case chargeback
        case cooldown
        case nameBlacklist = "name_blacklist"
        case emailBlacklist = "email_blacklist"
        case bicBlacklist = "bic_blacklist"

        var code: ReasonCode {
            switch self {
            case .ibanBlacklist: .blacklistIBAN
            case .chargeback: .historyChargeback
            case .cooldown: .historyCooldown
            case .nameBlacklist: .blacklistName
            case .emailBlacklist: .blacklistEmail
            case .bicBlacklist: .blacklistBIC
            }
        }
    }

    /// Whether the stage runs at all.
    public var enabled: Bool
    /// An IBAN charged by another run less than this many days ago is held back.
    public var cooldownDays: Int
    /// The checks in force. Their order is always the one of `Check.allCases`, the order of
    /// `domain.md`, whatever order the file lists them in.
    public var checks: Set<Check>

    public init(enabled: Bool = true, cooldownDays: Int = 30, checks: Set<Check> = Set(Check.allCases)) {
        self.enabled = enabled
        self.cooldownDays = cooldownDays
        self.checks = checks
    }

    /// `CaseIterable` so a test can hold these keys and the pipeline schema together.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case cooldownDays = "cooldown_days"
        case checks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ScreeningRules()
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
        cooldownDays = try container.decodeIfPresent(Int.self, forKey: .cooldownDays) ?? defaults.cooldownDays
        guard (0...3650).contains(cooldownDays) else {
            throw DecodingError.dataCorruptedError(forKey: .cooldownDays, in: container, debugDescription: "cooldown_days must be between 0 and 3650")
        }
        checks = try container.decodeIfPresent([Check].self, forKey: .checks).map(Set.init) ?? defaults.checks
    }

    /// The checks in force, in screening order.
    var orderedChecks: [Check] { Check.allCases.filter(checks.contains) }
}
