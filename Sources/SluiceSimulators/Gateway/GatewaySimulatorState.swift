import Foundation
import SluiceGenesis
import Synchronization

/// The simulator's ledger, counters, fault settings and generator, behind one lock. Each call
/// changes the state and returns what the caller must do next (answer, schedule, send), so
/// nothing slow happens under the lock.
final class GatewaySimulatorState: Sendable {
    /// What the simulator does with one `/process` call, decided when it arrives.
    struct Plan: Sendable {
        var fault: GatewayFault?
        var errorStatus: Int
        var hang: Duration
    }

    /// The outcome of a sale: the ledger's answer (nil after an error fault) and the events to schedule.
    struct SaleDone: Sendable {
        var plan: Plan
        var result: GatewayLedger.SaleResult?
        var events: [(GatewayEvent, Duration)] = []
    }

    struct VoidDone: Sendable {
        var plan: Plan
        var result: GatewayLedger.VoidResult?
    }

    private struct State {
        var ledger = GatewayLedger()
        var injector: FaultInjector<GatewayFaultConfiguration>
        var stats = GatewaySimulatorStats()
        var salesInFlight = 0
        /// Bumped by a reset, so notifications made before it are dropped.
        var generation = 0

        /// The fault of the next `/process` call, counted.
        mutating func plan() -> Plan {
            let fault = injector.nextFault()
            switch fault {
            case .error: stats.faultsError += 1
            case .timeoutAfterAccept: stats.faultsTimeoutAfterAccept += 1
            case nil: break
            }
            return Plan(fault: fault, errorStatus: injector.faults.errorStatus, hang: .milliseconds(injector.faults.hangMs))
        }

        /// Notifications about `record` as it is now, twice when the duplicate rate says so.
        mutating func notifications(_ record: GatewayLedger.Record, settings: Settings, chargeback: GatewayChargeback? = nil) -> [GatewayNotification] {
            guard let url = record.notificationURL else { return [] }
            let entry = record.entry
            var fields: [(name: String, value: String)] = [
                ("transaction_id", entry.transactionID), ("unique_id", entry.uniqueID), ("transaction_type", entry.transactionType),
                ("terminal_token", entry.terminal), ("status", entry.status.rawValue), ("amount", String(entry.amountMinor)),
                ("currency", entry.currency),
            ]
            if let chargeback {
                fields += [("event", "chargeback"), ("rc_code", chargeback.reasonCode), ("rc_description", chargeback.reasonDescription ?? "")]
            } else if let reason = entry.reasonCode {
                fields += [("reason_code", reason), ("reason_description", GatewayReasonCodes.description(for: reason))]
            }
            fields.append(("signature", GenesisSignature.sign(uniqueID: entry.uniqueID, password: settings.password, algorithm: settings.algorithm)))
            let notification = GatewayNotification(
                url: url, fields: fields, transactionID: entry.transactionID, uniqueID: entry.uniqueID, generation: generation)
            return injector.chance(injector.faults.duplicateNotificationRate) ? [notification, notification] : [notification]
        }
    }

    /// What the state needs of the configuration.
    struct Settings: Sendable {
        var rules: GatewayOutcomeRules
        var password: String
        var algorithm: GenesisSignature.Algorithm
        var notificationDelay: Duration
        var chargebackDelay: Duration
    }

    private let state: Mutex<State>
    let settings: Settings

    init(configuration: GatewaySimulatorConfiguration) {
        state = Mutex(State(injector: FaultInjector(faults: configuration.faults, seed: configuration.seed)))
        settings = Settings(
            rules: GatewayOutcomeRules(declineIBANs: configuration.declineIBANs, chargebackIBANs: configuration.chargebackIBANs),
            password: configuration.password, algorithm: configuration.signatureAlgorithm,
            notificationDelay: .milliseconds(configuration.notificationDelayMs), chargebackDelay: .milliseconds(configuration.chargebackDelayMs))
    }

    // MARK: Requests

    /// Counts a sale, draws its fault and, unless the fault is an error, records it in the ledger.
    /// Pair with `saleEnded()`.
    func sale(_ sale: SDDSale, terminal: String, now: Date = Date()) -> SaleDone {
        let outcome = settings.rules.outcome(amountMinor: sale.amountMinor, iban: sale.iban)
        let chargebackCode = settings.rules.chargebackCode(for: sale.iban)
        return state.withLock { state in
            state.stats.saleRequests += 1
            state.salesInFlight += 1
            state.stats.maxConcurrentSales = max(state.stats.maxConcurrentSales, state.salesInFlight)
            let seconds = now.timeIntervalSince1970
            if state.stats.firstSaleAt == nil { state.stats.firstSaleAt = seconds }
            state.stats.lastSaleAt = seconds
            var done = SaleDone(plan: state.plan())
            guard done.plan.fault != .error else { return done }
            let result = state.ledger.sale(sale, terminal: terminal, outcome: outcome, chargebackCode: chargebackCode, now: now)
            done.result = result
            switch result {
            case .doublet:
                state.stats.doublets += 1
            case .recorded(let record):
                if record.entry.charges > 0 { state.stats.charges += 1 }
                switch record.entry.status {
                case .pendingAsync:
                    done.events.append((.settle(transactionID: record.entry.transactionID), settings.notificationDelay))
                case .approved, .declined:
                    for notification in state.notifications(record, settings: settings) {
                        done.events.append((.notify(notification), settings.notificationDelay))
                    }
                    if record.entry.status == .approved, record.chargebackCode != nil {
                        done.events.append((.chargeback(transactionID: record.entry.transactionID), settings.chargebackDelay))
                    }
                default:
                    break
                }
            }
            return done
        }
    }

    func saleEnded() {
        state.withLock { $0.salesInFlight -= 1 }
    }

    /// Counts a void, draws its fault and, unless the fault is an error, applies it.
    func void(_ request: GenesisWire.VoidRequest, terminal: String, now: Date = Date()) -> VoidDone {
        state.withLock { state in
            state.stats.voidRequests += 1
            let plan = state.plan()
            guard plan.fault != .error else { return VoidDone(plan: plan) }
            let result = state.ledger.void(
                transactionID: request.transactionID, referenceUniqueID: request.referenceUniqueID, terminal: terminal, now: now)
            return VoidDone(plan: plan, result: result)
        }
    }

    /// The ledger's record of one transaction on `terminal`, counting a reconcile request.
    func reconcile(_ reference: TransactionReference, terminal: String) -> GatewayLedger.Record? {
        state.withLock { state in
            state.stats.reconcileRequests += 1
            let record: GatewayLedger.Record?
            switch reference {
            case .uniqueID(let id): record = state.ledger.record(uniqueID: id)
            case .transactionID(let id): record = state.ledger.record(transactionID: id)
            }
            return record?.entry.terminal == terminal ? record : nil
        }
    }

    /// One page of `reconcile/by_date`, counting the request.
    func transactions(terminal: String, startDay: String, endDay: String, page: Int, perPage: Int) -> (items: [GatewayLedger.Record], total: Int) {
        state.withLock { state in
            state.stats.reconcileByDateRequests += 1
            return state.ledger.transactions(terminal: terminal, startDay: startDay, endDay: endDay, page: page, perPage: perPage)
        }
    }

    /// One page of `chargebacks/by_date`, counting the request.
    func chargebacks(terminal: String?, startDay: String, endDay: String, page: Int, perPage: Int) -> (items: [GatewayChargeback], total: Int) {
        state.withLock { state in
            state.stats.chargebackRequests += 1
            return state.ledger.chargebacks(terminal: terminal, startDay: startDay, endDay: endDay, page: page, perPage: perPage)
        }
    }

    func countUnauthorized() {
        state.withLock { $0.stats.unauthorized += 1 }
    }

    func countInvalid() {
        state.withLock { $0.stats.invalidRequests += 1 }
    }

    // MARK: Events

    /// Settles a pending sale: the notification to send now and the chargeback to schedule.
    func settle(transactionID: String) -> [(GatewayEvent, Duration)] {
        state.withLock { state in
            guard let record = state.ledger.settle(transactionID: transactionID) else { return [] }
            var events = state.notifications(record, settings: settings).map { (GatewayEvent.notify($0), Duration.zero) }
            if record.entry.status == .approved, record.chargebackCode != nil {
                events.append((.chargeback(transactionID: transactionID), settings.chargebackDelay))
            }
            return events
        }
    }

    /// Charges back an approved sale: the notifications to send now.
    func chargeback(transactionID: String, now: Date = Date()) -> [GatewayNotification] {
        state.withLock { state in
            guard let (record, chargeback) = state.ledger.chargeback(transactionID: transactionID, now: now) else { return [] }
            state.stats.chargebacks += 1
            return state.notifications(record, settings: settings, chargeback: chargeback)
        }
    }

    /// Counts one send of `notification`; `gaveUp` when it was the last attempt and not echoed.
    /// Returns whether the notification still belongs to this generation (so may be re-sent).
    @discardableResult
    func noteSent(_ notification: GatewayNotification, acknowledged: Bool, gaveUp: Bool) -> Bool {
        state.withLock { state in
            guard notification.generation == state.generation else { return false }
            state.stats.notificationsSent += 1
            if acknowledged { state.stats.notificationsAcknowledged += 1 }
            if gaveUp { state.stats.notificationsFailed += 1 }
            state.ledger.noteNotification(transactionID: notification.transactionID, acknowledged: acknowledged)
            return true
        }
    }

    /// Whether `generation` is the one since the last reset.
    func isCurrent(_ generation: Int) -> Bool {
        state.withLock { $0.generation == generation }
    }

    // MARK: Control

    var faults: GatewayFaultConfiguration { state.withLock { $0.injector.faults } }

    /// Applies a partial update; a new seed restarts the generator.
    @discardableResult
    func update(_ patch: GatewayFaultConfiguration.Patch) -> GatewayFaultConfiguration {
        state.withLock { $0.injector.update(patch) }
    }

    /// Replaces the fault settings (the generator keeps going).
    func setFaults(_ faults: GatewayFaultConfiguration) {
        state.withLock { $0.injector.replace(with: faults) }
    }

    /// Empties the ledger, zeroes the counters and restarts the generator from its seed; the
    /// fault settings stay.
    func reset() {
        state.withLock { state in
            state.ledger = GatewayLedger()
            state.stats = GatewaySimulatorStats()
            // The high-water mark starts again from the sales still in flight.
            state.stats.maxConcurrentSales = state.salesInFlight
            state.injector.restart()
            state.generation += 1
        }
    }

    func stats(pendingEvents: Int) -> GatewaySimulatorStats {
        state.withLock { state in
            var stats = state.stats
            stats.pendingEvents = pendingEvents
            if let first = stats.firstSaleAt, let last = stats.lastSaleAt, stats.saleRequests >= 2, last > first {
                stats.saleRatePerSecond = Double(stats.saleRequests - 1) / (last - first)
            }
            return stats
        }
    }

    func entries(transactionID: String? = nil) -> [GatewayLedgerEntry] {
        state.withLock { $0.ledger.entries(transactionID: transactionID) }
    }
}
