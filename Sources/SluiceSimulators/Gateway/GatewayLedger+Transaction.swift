import SluiceGenesis

extension GatewayLedger.Record {
    /// The record as a `<payment_response>`: its status now, with Genesis's codes and messages.
    var transaction: GatewayTransaction {
        let entry = self.entry
        var message: String
        var technicalMessage: String?
        switch entry.status {
        case .approved:
            message = entry.transactionType == GenesisWire.voidType ? "Transaction voided" : "Transaction approved"
        case .declined:
            message = "Transaction declined"
            technicalMessage = entry.reasonCode.map { "SEPA reason \($0): \(GatewayReasonCodes.description(for: $0))" }
        case .error:
            message = "Invalid input data"
            technicalMessage = "simulated invalid input (amount ending in 54)"
        case .pendingAsync, .pending, .inProgress:
            message = "Transaction pending"
        case .voided:
            message = "Transaction voided"
        case .chargebacked:
            message = "Transaction charged back"
            technicalMessage = entry.reasonCode.map { "SEPA reason \($0): \(GatewayReasonCodes.description(for: $0))" }
        case .refunded, .chargebackReversed:
            message = "Transaction \(entry.status.rawValue)"
        }
        return GatewayTransaction(
            transactionType: entry.transactionType, status: entry.status, uniqueID: entry.uniqueID, transactionID: entry.transactionID,
            code: entry.code, message: message, technicalMessage: technicalMessage, reasonCode: entry.reasonCode,
            timestamp: GatewayTime.timestamp(created), amountMinor: entry.amountMinor, currency: entry.currency)
    }
}
