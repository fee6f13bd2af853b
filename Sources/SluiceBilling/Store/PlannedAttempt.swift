/// An attempt ready to charge: its row in `sluice.billing_attempts` and the sale it sends.
public struct PlannedAttempt: Sendable, Hashable {
    public var id: Int64
    public var sourceLine: Int64
    public var status: AttemptStatus
    public var saleRequests: Int
    public var model: BillingModel
    public var sale: SaleDetails

    public init(id: Int64, sourceLine: Int64, status: AttemptStatus, saleRequests: Int, model: BillingModel, sale: SaleDetails) {
        self.id = id
        self.sourceLine = sourceLine
        self.status = status
        self.saleRequests = saleRequests
        self.model = model
        self.sale = sale
    }
}
