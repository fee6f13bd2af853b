/// Short descriptions of the SEPA return and chargeback reason codes, for `rc_description` and
/// `reason_description` (shared/design/domain.md).
public enum GatewayReasonCodes {
    /// The description of `code`, or "Reason not specified" for one the simulator does not know.
    public static func description(for code: String) -> String {
        descriptions[code.uppercased()] ?? "Reason not specified"
    }

    static let descriptions: [String: String] = [
        "AC01": "Incorrect IBAN",
        "AC04": "Account closed",
        "AC06": "Account blocked",
        "AG01": "Direct debit forbidden",
        "AM04": "Insufficient funds",
        "AM05": "Duplicate collection",
        "BE05": "Creditor identifier incorrect",
        "FF05": "Wrong direct debit type",
        "MD01": "No valid mandate",
        "MD02": "Mandate data wrong",
        "MD06": "Refund requested by debtor",
        "MD07": "Debtor deceased",
        "MS02": "Refused by debtor",
        "MS03": "Reason not specified",
        "RC01": "BIC incorrect",
        "RR01": "Regulatory reason",
        "RR02": "Regulatory reason",
        "RR03": "Regulatory reason",
        "RR04": "Regulatory reason",
        "SL01": "Debtor bank service",
    ]
}
