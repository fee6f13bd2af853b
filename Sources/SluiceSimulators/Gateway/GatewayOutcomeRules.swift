import Foundation

/// The simulator's deterministic bank: the outcome of a sale from its amount's cents and its IBAN.
///
/// | cents (`amount % 100`) | outcome |
/// |---|---|
/// | 51 | declined AM04 (insufficient funds) |
/// | 52 | declined AC04 (account closed) |
/// | 53 | declined MD01 (no valid mandate) |
/// | 54 | error 340 (invalid input data), nothing charged |
/// | 60 | pending_async, then approved |
/// | 61 | pending_async, then declined AM04 |
///
/// Other amounts: an IBAN in `declineIBANs` is declined with its code, any other approved.
/// An approved sale from an IBAN in `chargebackIBANs` is charged back later.
public struct GatewayOutcomeRules: Sendable, Hashable {
    /// Compact upper-case IBAN → SEPA reason code.
    public var declineIBANs: [String: String]
    /// Compact upper-case IBAN → SEPA reason code (MD06 when given empty).
    public var chargebackIBANs: [String: String]

    public init(declineIBANs: [String: String] = [:], chargebackIBANs: [String: String] = [:]) {
        self.declineIBANs = Self.normalised(declineIBANs, defaultCode: "AM04")
        self.chargebackIBANs = Self.normalised(chargebackIBANs, defaultCode: "MD06")
    }

    /// The reason code of the chargeback an approved sale from `iban` gets, or `nil` for none.
    public func chargebackCode(for iban: String) -> String? {
        chargebackIBANs[AccountHolders.compact(iban)]
    }

    static func normalised(_ table: [String: String], defaultCode: String) -> [String: String] {
        table.reduce(into: [:]) { result, item in
            let code = item.value.trimmingCharacters(in: .whitespaces).uppercased()
            result[AccountHolders.compact(item.key)] = code.isEmpty ? defaultCode : code
        }
    }

    /// The outcome of a new sale of `amountMinor` from `iban`.
    public func outcome(amountMinor: Int64, iban: String) -> GatewayOutcome {
        switch (amountMinor % 100 + 100) % 100 {
        case 51: return .declined(reasonCode: "AM04")
        case 52: return .declined(reasonCode: "AC04")
        case 53: return .declined(reasonCode: "MD01")
        case 54: return .invalidInput
        case 60: return .pendingThenApproved
        case 61: return .pendingThenDeclined(reasonCode: "AM04")
        default:
            if let code = declineIBANs[AccountHolders.compact(iban)] { return .declined(reasonCode: code) }
            return .approved
        }
    }
}
