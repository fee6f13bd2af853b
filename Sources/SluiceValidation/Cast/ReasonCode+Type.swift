import SluiceCore

extension ReasonCode {
    /// A value does not fit its column's declared `type:`: `amount.type`, `mandate_date.type`.
    public static func type(column: String) -> ReasonCode { ReasonCode("\(column).type") }
}
