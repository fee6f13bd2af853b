import AsyncHTTPClient
import NIOCore

/// Sends the simulator's notifications: one worker of `GatewaySimulator.run()` per call of
/// `run()`, each sending one notification at a time.
///
/// A notification counts as delivered only when the answer is 200 with a body holding
/// `<notification_echo>` and `<unique_id>THE_ID</unique_id>`; otherwise it is re-sent after
/// `retry`, doubling, until `attempts` sends.
struct GatewayNotifier: Sendable {
    let queue: GatewayEventQueue
    let state: GatewaySimulatorState
    let attempts: Int
    let retry: Duration
    let timeout: TimeAmount
    let client: HTTPClient

    /// Sends notifications until the queue stops.
    func run() async {
        while let notification = await queue.nextNotification() {
            await deliver(notification)
        }
    }

    private func deliver(_ notification: GatewayNotification) async {
        // After the retry is scheduled, so the pending count never dips to zero in between.
        defer { queue.delivered() }
        guard state.isCurrent(notification.generation) else { return }
        let acknowledged = await send(notification)
        let gaveUp = !acknowledged && notification.attempt >= attempts
        let current = state.noteSent(notification, acknowledged: acknowledged, gaveUp: gaveUp)
        guard !acknowledged, !gaveUp, current else { return }
        var next = notification
        next.attempt += 1
        queue.schedule(.notify(next), after: retry * (1 << min(notification.attempt - 1, 20)))
    }

    private func send(_ notification: GatewayNotification) async -> Bool {
        var request = HTTPClientRequest(url: notification.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: notification.body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 * 1024)
            return response.status == .ok && notification.isEcho(String(buffer: body))
        } catch {
            return false
        }
    }
}
