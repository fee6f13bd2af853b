import Foundation

/// The business rules of billing, as a value: which row is charged and what a settled charge
/// does to its debtor's profile. Pure: time is passed in, profiles in and out.
///
/// Rows are decided one at a time in source-line order, each against the profile the rows
/// before it left, so two rows of one debtor in one file are caught (the second waits on the
/// first: `billing.pending_exists`).
public struct BillingRules: Sendable, Hashable {
    /// Lifetime total per profile, in minor units (€750).
    public var lifetimeCapMinor: Int64
    /// The currency charged; a row naming another is skipped.
    public var currency: String
    /// Bill rows that carry a review flag too.
    public var billFlaggedRows: Bool
    /// Countries the gateway charges SEPA direct debits in.
    public var countries: Set<String>

    /// The billing countries of Genesis `sdd_sale`.
    public static let sepaDirectDebitCountries: Set<String> = [
        "AT", "BE", "CY", "EE", "FI", "FR", "DE", "GR", "IE", "IT", "LV", "LT", "LU", "MT", "MC", "NL", "PT", "SK", "SM", "SI", "ES",
    ]

    public init(lifetimeCapMinor: Int64 = 75_000, currency: String = "EUR", billFlaggedRows: Bool = false, countries: Set<String> = Self.sepaDirectDebitCountries) {
        self.lifetimeCapMinor = lifetimeCapMinor
        self.currency = currency
        self.billFlaggedRows = billFlaggedRows
        self.countries = countries
    }

    /// Decides `row` against its debtor's `profile` (`nil`: never billed), for an attempt that
    /// will be known to the gateway as `transactionID`.
    public func decide(_ row: BillingCandidate, profile: DebtorProfile?, transactionID: String, now: Date) -> BillingDecision {
        guard let iban = row.iban, !iban.isEmpty, row.ibanHash.count == 32 else { return .skip(.invalidRow, detail: "no IBAN") }
        guard let amount = row.amountMinor, amount > 0 else { return .skip(.invalidRow, detail: "no amount") }
        guard row.firstName?.isEmpty == false, row.lastName?.isEmpty == false else {
            return .skip(.invalidRow, detail: "first and last name are required by the gateway")
        }
        if let currency = row.currency, !currency.isEmpty, currency.uppercased() != self.currency {
            return .skip(.currencyMismatch, detail: "\(currency) is not \(self.currency)")
        }
        let country = (row.country?.isEmpty == false ? row.country! : String(iban.prefix(2))).uppercased()
        guard countries.contains(country) else { return .skip(.countryUnsupported, detail: "\(country) is not a SEPA direct-debit billing country") }
        if row.flagged && !billFlaggedRows { return .skip(.flagged, detail: "the row carries a review flag") }

        let model = BillingModel(amountMinor: amount)
        var next = profile ?? DebtorProfile(model: model)
        guard next.active else { return .skip(.profileInactive, detail: "the profile was deactivated") }
        if let open = next.openTransactionID { return .skip(.pendingExists, detail: "attempt \(open) is not settled") }
        guard next.model == model else { return .skip(.modelConflict, detail: "a \(model.rawValue) charge for a \(next.model.rawValue) profile") }
        if let lockedUntil = next.nextBillAt, lockedUntil > now {
            return .skip(.cycleLocked, detail: "next charge from \(Self.day(lockedUntil))")
        }
        guard next.chargedMinor + amount <= lifetimeCapMinor else {
            return .skip(.capReached, detail: "\(Self.euros(next.chargedMinor)) charged, \(Self.euros(amount)) more passes \(Self.euros(lifetimeCapMinor))")
        }
        next.chargedMinor += amount
        next.openTransactionID = transactionID
        return .charge(model: model, profile: next)
    }

    /// The profile after its open attempt of `amountMinor` settled as `outcome` at `now`.
    public static func settle(_ profile: DebtorProfile, outcome: AttemptOutcome, amountMinor: Int64, now: Date) -> DebtorProfile {
        var next = profile
        switch outcome {
        case .accepted(let final):
            // The gateway took the charge: the cycle starts now.
            next.nextBillAt = nextBillAt(after: now, model: profile.model)
            if final { next.openTransactionID = nil }
        case .refused:
            next.chargedMinor = max(next.chargedMinor - amountMinor, 0)
            next.openTransactionID = nil
        }
        return next
    }

    /// When a profile of `model` charged at `date` may be charged again; `nil` for no lock.
    public static func nextBillAt(after date: Date, model: BillingModel) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch model {
        case .flywheel: return calendar.date(byAdding: .day, value: 90, to: date)
        case .recovery: return calendar.date(byAdding: .month, value: 6, to: date)
        case .legacy: return nil
        }
    }

    static func euros(_ minor: Int64) -> String {
        "€\(minor / 100).\(String(format: "%02d", minor % 100))"
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
