/// The payment gateway billing charges through: Genesis in production, the gateway simulator
/// (`sluice simulate gateway`) in tests and the demo, both behind `GenesisClient`.
///
/// A sale that the gateway answers (approved, declined, pending, or a gateway `error` with a
/// code) returns a `GatewayTransaction`; only a call that got no usable answer throws
/// `GatewayError`. Whether such a failure may have charged the debtor is
/// `GatewayError.outcomeUnknown`: billing then reconciles by `transaction_id` before any retry.
public protocol PaymentGateway: Sendable {
    /// `sdd_sale`: one SEPA direct-debit charge.
    func sale(_ sale: SDDSale) async throws -> GatewayTransaction
    /// `reconcile`: the gateway's record of one transaction; `nil` when it has none (code 460).
    func reconcile(_ reference: TransactionReference) async throws -> GatewayTransaction?
    /// `reconcile/by_date`: one page (1-based) of the transactions in `range`.
    func reconcileByDate(_ range: GatewayDateRange, page: Int) async throws -> GatewayPage<GatewayTransaction>
    /// `chargebacks/by_date`: one page (1-based) of the chargebacks posted in `range`.
    func chargebacksByDate(_ range: GatewayDateRange, page: Int, perPage: Int) async throws -> GatewayPage<GatewayChargeback>
    /// `void` of an earlier transaction, named by its gateway `unique_id`; `transactionID` is the
    /// void's own merchant id.
    func void(referenceUniqueID: String, transactionID: String) async throws -> GatewayTransaction
}
