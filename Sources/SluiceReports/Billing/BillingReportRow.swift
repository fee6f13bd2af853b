/// One row of a run's billing as the billing report shows it: the charge attempt made for the
/// row of the file at `line` and how it stands, or why the row was skipped.
public struct BillingReportRow: ReportTableRow, Sendable, Hashable {
    /// The `outcome` of a row that was not charged (`sluice.billing_skips`).
    public static let skipped = "skipped"

    /// The physical line (CSV) or sheet row (XLSX) of the billed row.
    public var line: Int64
    /// The IBAN as billing stored it: masked (first 4 + last 4).
    public var ibanMasked: String
    /// Cents; `nil` for a skipped row without a readable amount.
    public var amountMinor: Int64?
    /// The attempt's currency; empty for a skipped row.
    public var currency: String
    /// `flywheel`, `recovery` or `legacy`; empty for a row skipped before it had one.
    public var model: String
    /// The attempt's status (`planned`, `sending`, `approved`, `declined`, `error`, `pending`,
    /// `voided`, `refunded`, `chargebacked`, `chargeback_reversed`), or `skipped`.
    public var outcome: String
    /// The gateway's reason code of an attempt (`AM04`), the rule's code of a skip (`billing.cycle_locked`).
    public var reason: String?
    /// The gateway's message of an attempt, what the rule saw for a skip.
    public var detail: String?
    public var transactionID: String?
    /// The gateway's id of the transaction, once it answered.
    public var uniqueID: String?
    /// Sale requests sent for the attempt; `nil` for a skip.
    public var saleRequests: Int?

    public init(
        line: Int64, ibanMasked: String, amountMinor: Int64?, currency: String = "", model: String = "", outcome: String,
        reason: String? = nil, detail: String? = nil, transactionID: String? = nil, uniqueID: String? = nil, saleRequests: Int? = nil
    ) {
        self.line = line
        self.ibanMasked = ibanMasked
        self.amountMinor = amountMinor
        self.currency = currency
        self.model = model
        self.outcome = outcome
        self.reason = reason
        self.detail = detail
        self.transactionID = transactionID
        self.uniqueID = uniqueID
        self.saleRequests = saleRequests
    }

    /// The report's columns, left to right.
    public static let columns = [
        "line", "iban", "amount", "currency", "model", "outcome", "reason", "detail", "transaction_id", "unique_id", "sale_requests",
    ]

    public static let sheetName = "Billing"
    // As numbers, amounts add up in a spreadsheet.
    public static let numberColumns = ["line", "amount", "sale_requests"]
    public static let failureColumn = "outcome"

    /// Whether the row was not charged.
    public var isSkip: Bool { outcome == Self.skipped }

    /// Whether the charge failed or was taken back: its outcome is shown in red in XLSX.
    public var isFailure: Bool { ["declined", "error", "chargebacked"].contains(outcome) }

    /// The amount as decimal text with two places (`12.34`), empty when unknown.
    public var amount: String { amountMinor.map(Self.decimal) ?? "" }

    /// The row's values in the order of ``columns``, a missing value empty.
    public var values: [String] {
        [
            String(line), ibanMasked, amount, currency, model, outcome, reason ?? "", detail ?? "", transactionID ?? "", uniqueID ?? "",
            saleRequests.map(String.init) ?? "",
        ]
    }

    // Cents to a double is exact to the cent for any amount a debit can have.
    public var numbers: [Double?] { [Double(line), amountMinor.map { Double($0) / 100 }, saleRequests.map(Double.init)] }

    /// `1234.56` from 123456, `-0.05` from -5: cents as the gateway's decimal text.
    public static func decimal(_ minor: Int64) -> String {
        let cents = minor.magnitude % 100
        return (minor < 0 ? "-" : "") + "\(minor.magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}
