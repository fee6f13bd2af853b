/// Genesis error codes that Sluice acts on, as found in `<code>` of an error answer.
public enum GenesisErrorCode {
    /// Authentication failed (bad API login or password for the terminal).
    public static let authentication = 120
    /// The request was refused as invalid (a missing or malformed field).
    public static let inputInvalid = 340
    /// A transaction with this `transaction_id` already exists (a doublet).
    public static let doublet = 450
    /// No such transaction (reconcile).
    public static let notFound = 460
}
