/// Something the simulator does later: settle a pending sale, post a chargeback, send a notification.
enum GatewayEvent: Sendable {
    case settle(transactionID: String)
    case chargeback(transactionID: String)
    case notify(GatewayNotification)
}
