import Foundation
import SluiceGenesis

/// Builds the `sdd_sale` of a row from the billing settings.
public struct SaleBuilder: Sendable {
    public let settings: BillingSettings

    public init(settings: BillingSettings) {
        self.settings = settings
    }

    /// The sale for `row`, or `nil` when the row lacks what a sale needs (the rules skip such
    /// rows before they become attempts).
    public func sale(for row: BillingCandidate, transactionID: String) -> SDDSale? {
        guard let iban = row.iban, let amount = row.amountMinor, let first = row.firstName, let last = row.lastName else { return nil }
        let country = (row.country ?? String(iban.prefix(2))).uppercased()
        return SDDSale(
            transactionID: transactionID, usage: usage(for: row), amountMinor: amount, currency: settings.currency.uppercased(), iban: iban,
            bic: row.bic, notificationURL: settings.notificationURL,
            billingAddress: BillingAddress(
                firstName: first, lastName: last, address1: row.address, zipCode: row.postcode, city: row.city, country: country))
    }

    /// The usage text with `{external_id}` and `{line}` filled in.
    func usage(for row: BillingCandidate) -> String {
        settings.usage
            .replacingOccurrences(of: "{external_id}", with: row.externalID ?? "")
            .replacingOccurrences(of: "{line}", with: String(row.sourceLine))
            .trimmingCharacters(in: .whitespaces)
    }
}
