import Crypto
import Foundation
import SluiceCore
import SluiceGenesis

/// The simulator's transactions, keyed by merchant `transaction_id`: a value-type state machine
/// the simulator keeps behind its lock, so it can be tested as a value.
///
/// The first sale with a `transaction_id` is recorded (and charged unless it is an input
/// error); every later request with that id is a doublet and changes nothing but its counter.
/// A dictionary plus an array in creation order keep 100k+ entries cheap; the IBAN is kept
/// masked only.
struct GatewayLedger: Sendable {
    /// One transaction and what the simulator still has to do with it.
    struct Record: Sendable {
        var entry: GatewayLedgerEntry
        var created: Date
        /// `yyyy-MM-dd` UTC, for the by-date queries.
        var createdDay: String
        var notificationURL: String?
        /// What a pending_async sale becomes when it settles.
        var settlement: Settlement?
        /// The reason code of the chargeback an approved sale will get.
        var chargebackCode: String?
    }

    enum Settlement: Sendable, Hashable {
        case approved
        case declined(reasonCode: String)
    }

    /// A chargeback posted against an approved sale.
    struct ChargebackRecord: Sendable {
        var chargeback: GatewayChargeback
        var terminal: String
        var transactionID: String
    }

    enum SaleResult: Sendable {
        /// The `transaction_id` was known: nothing charged; the record as it is now.
        case doublet(Record)
        case recorded(Record)
    }

    enum VoidResult: Sendable {
        /// The void's own `transaction_id` was known.
        case doublet(Record)
        case referenceNotFound
        /// The referenced sale is not approved or pending.
        case notVoidable(Record)
        case voided(void: Record, original: Record)
    }

    private(set) var records: [String: Record] = [:]
    private(set) var order: [String] = []
    private var byUniqueID: [String: String] = [:]
    /// Per terminal, its transactions' creation days and ids in creation order.
    private var byTerminal: [String: [(day: String, transactionID: String)]] = [:]
    /// The latest creation day so far: a clock stepping back never makes days go down.
    private var lastDay = ""
    private(set) var chargebacks: [ChargebackRecord] = []

    var count: Int { order.count }

    /// The gateway's id for `transactionID` on `terminal`: the first 32 hex digits of
    /// SHA-256(terminal + transaction_id), so a test can predict it.
    static func uniqueID(terminal: String, transactionID: String) -> String {
        let digest = SHA256.hash(data: Array((terminal + transactionID).utf8))
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for byte in digest.prefix(16) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Records a sale, or counts a doublet when its `transaction_id` is known.
    mutating func sale(_ sale: SDDSale, terminal: String, outcome: GatewayOutcome, chargebackCode: String?, now: Date) -> SaleResult {
        if var record = records[sale.transactionID] {
            record.entry.saleRequests += 1
            record.entry.duplicateRequests += 1
            records[sale.transactionID] = record
            return .doublet(record)
        }
        var status = GatewayStatus.approved
        var code: Int?
        var reasonCode: String?
        var settlement: Settlement?
        switch outcome {
        case .approved:
            break
        case .declined(let reason):
            (status, code, reasonCode) = (.declined, Self.declinedCode, reason)
        case .invalidInput:
            (status, code) = (.error, Self.invalidInputCode)
        case .pendingThenApproved:
            (status, settlement) = (.pendingAsync, .approved)
        case .pendingThenDeclined(let reason):
            (status, settlement) = (.pendingAsync, .declined(reasonCode: reason))
        }
        let uniqueID = Self.uniqueID(terminal: terminal, transactionID: sale.transactionID)
        let entry = GatewayLedgerEntry(
            transactionID: sale.transactionID, uniqueID: uniqueID, terminal: terminal, transactionType: "sdd_sale",
            amountMinor: sale.amountMinor, currency: sale.currency, ibanMasked: IBANMask.mask(sale.iban), status: status, code: code,
            reasonCode: reasonCode, saleRequests: 1, charges: status == .error ? 0 : 1, createdAt: GatewayTime.precise(now))
        let record = Record(
            entry: entry, created: now, createdDay: GatewayTime.day(now), notificationURL: sale.notificationURL.flatMap { $0.isEmpty ? nil : $0 },
            settlement: settlement, chargebackCode: status == .error ? nil : chargebackCode)
        insert(record)
        return .recorded(record)
    }

    /// Voids the approved or pending sale `referenceUniqueID`, recording the void itself.
    mutating func void(transactionID: String, referenceUniqueID: String, terminal: String, now: Date) -> VoidResult {
        if let record = records[transactionID] { return .doublet(record) }
        guard let originalID = byUniqueID[referenceUniqueID], var original = records[originalID], original.entry.terminal == terminal else {
            return .referenceNotFound
        }
        guard original.entry.transactionType == "sdd_sale", [.approved, .pendingAsync, .pending].contains(original.entry.status) else {
            return .notVoidable(original)
        }
        original.entry.status = .voided
        original.settlement = nil
        records[originalID] = original
        let entry = GatewayLedgerEntry(
            transactionID: transactionID, uniqueID: Self.uniqueID(terminal: terminal, transactionID: transactionID), terminal: terminal,
            transactionType: "void", amountMinor: original.entry.amountMinor, currency: original.entry.currency, ibanMasked: "",
            status: .approved, referenceUniqueID: referenceUniqueID, saleRequests: 0, charges: 0, createdAt: GatewayTime.precise(now))
        let void = Record(entry: entry, created: now, createdDay: GatewayTime.day(now))
        insert(void)
        return .voided(void: void, original: original)
    }

    /// Settles a pending_async sale as decided when it arrived; `nil` when it is no longer pending.
    mutating func settle(transactionID: String) -> Record? {
        guard var record = records[transactionID], record.entry.status == .pendingAsync, let settlement = record.settlement else { return nil }
        switch settlement {
        case .approved:
            record.entry.status = .approved
        case .declined(let reason):
            record.entry.status = .declined
            record.entry.code = Self.declinedCode
            record.entry.reasonCode = reason
        }
        record.settlement = nil
        records[transactionID] = record
        return record
    }

    /// Charges back an approved sale that was marked for it; `nil` when it is not (any longer) approved.
    mutating func chargeback(transactionID: String, now: Date) -> (Record, GatewayChargeback)? {
        guard var record = records[transactionID], record.entry.status == .approved, let code = record.chargebackCode else { return nil }
        record.entry.status = .chargebacked
        record.entry.reasonCode = code
        record.chargebackCode = nil
        records[transactionID] = record
        let chargeback = GatewayChargeback(
            originalTransactionUniqueID: record.entry.uniqueID, reasonCode: code, reasonDescription: GatewayReasonCodes.description(for: code),
            amountMinor: record.entry.amountMinor, currency: record.entry.currency, type: "1st_chargeback", postDate: GatewayTime.day(now))
        chargebacks.append(ChargebackRecord(chargeback: chargeback, terminal: record.entry.terminal, transactionID: transactionID))
        return (record, chargeback)
    }

    func record(transactionID: String) -> Record? { records[transactionID] }

    func record(uniqueID: String) -> Record? { byUniqueID[uniqueID].flatMap { records[$0] } }

    /// Counts one notification POST for `transactionID`, and whether it was acknowledged.
    mutating func noteNotification(transactionID: String, acknowledged: Bool) {
        guard var record = records[transactionID] else { return }
        record.entry.notificationsSent += 1
        if acknowledged { record.entry.notificationsAcknowledged += 1 }
        records[transactionID] = record
    }

    /// Page `page` (1-based) of the transactions on `terminal` created from `startDay` to
    /// `endDay` (inclusive), oldest first, and how many there are in all. Two binary searches
    /// over the terminal's days, so a page costs the same at 100k entries as at 100.
    func transactions(terminal: String, startDay: String, endDay: String, page: Int, perPage: Int) -> (items: [Record], total: Int) {
        guard let days = byTerminal[terminal], startDay <= endDay else { return ([], 0) }
        let lower = Self.firstIndex(in: days) { $0.day >= startDay }
        let upper = Self.firstIndex(in: days) { $0.day > endDay }
        let total = max(upper - lower, 0)
        let from = lower + (max(page, 1) - 1) * perPage
        guard from < upper else { return ([], total) }
        let items = days[from..<min(from + perPage, upper)].compactMap { records[$0.transactionID] }
        return (items, total)
    }

    /// The first index of `days` where `isAfter` holds; `isAfter` must hold for a suffix.
    private static func firstIndex(in days: [(day: String, transactionID: String)], where isAfter: ((day: String, transactionID: String)) -> Bool) -> Int {
        var low = 0
        var high = days.count
        while low < high {
            let middle = (low + high) / 2
            if isAfter(days[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Page `page` (1-based) of the chargebacks posted from `startDay` to `endDay` (inclusive),
    /// on `terminal` or on all terminals, oldest first, and how many there are in all.
    func chargebacks(terminal: String?, startDay: String, endDay: String, page: Int, perPage: Int) -> (items: [GatewayChargeback], total: Int) {
        let skip = (max(page, 1) - 1) * perPage
        var items: [GatewayChargeback] = []
        var total = 0
        for record in chargebacks {
            let day = record.chargeback.postDate ?? ""
            guard terminal == nil || record.terminal == terminal, day >= startDay, day <= endDay else { continue }
            if total >= skip, items.count < perPage { items.append(record.chargeback) }
            total += 1
        }
        return (items, total)
    }

    /// The entries in creation order, all or the one named `transactionID`.
    func entries(transactionID: String? = nil) -> [GatewayLedgerEntry] {
        if let transactionID { return records[transactionID].map { [$0.entry] } ?? [] }
        return order.compactMap { records[$0]?.entry }
    }

    private mutating func insert(_ record: Record) {
        var record = record
        if record.createdDay < lastDay { record.createdDay = lastDay }
        lastDay = record.createdDay
        byTerminal[record.entry.terminal, default: []].append((record.createdDay, record.entry.transactionID))
        records[record.entry.transactionID] = record
        order.append(record.entry.transactionID)
        byUniqueID[record.entry.uniqueID] = record.entry.transactionID
    }

    /// Genesis's code for a transaction the bank declined.
    static let declinedCode = 510
    /// Genesis's code for invalid input data.
    static let invalidInputCode = 340
}
