import Foundation

/// Which chargeback reason codes put the IBAN on the blacklist: one list, configurable
/// (`SLUICE_CHARGEBACK_BLACKLIST_CODES`). Every chargeback deactivates the debtor's profile;
/// only these codes (the account is closed, blocked, or the mandate is void) also stop the IBAN
/// in every later run's screening.
public struct ChargebackPolicy: Sendable, Hashable {
    public var blacklistCodes: Set<String>

    /// AC01 wrong account, AC04 closed, AC06 blocked, AG01 not allowed, MD01 no mandate,
    /// MD07 debtor deceased, MS02 refused by the debtor, SL01 the bank's specific service.
    public static let defaultBlacklistCodes: Set<String> = ["AC01", "AC04", "AC06", "AG01", "MD01", "MD07", "MS02", "SL01"]

    public init(blacklistCodes: Set<String> = Self.defaultBlacklistCodes) {
        self.blacklistCodes = Set(blacklistCodes.map { $0.uppercased() })
    }

    /// From `SLUICE_CHARGEBACK_BLACKLIST_CODES` (comma- or space-separated; empty blacklists none);
    /// the default list when it is not set.
    public init(environment: [String: String]) {
        guard let text = environment["SLUICE_CHARGEBACK_BLACKLIST_CODES"] else {
            self.init()
            return
        }
        let codes = text.split { $0 == "," || $0 == " " }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.init(blacklistCodes: Set(codes))
    }

    public func blacklists(_ reasonCode: String?) -> Bool {
        guard let code = reasonCode?.uppercased() else { return false }
        return blacklistCodes.contains(code)
    }
}
