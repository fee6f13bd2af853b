/// Names one transaction for `reconcile`.
public enum TransactionReference: Sendable, Hashable {
    case uniqueID(String)
    case transactionID(String)
}
