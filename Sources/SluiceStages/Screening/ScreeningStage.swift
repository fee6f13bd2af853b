import SluiceCore

/// The `screen` stage: holds back rows that must not be charged because of what is known
/// from outside the file.
///
/// Checks, in the order of `domain.md`; a row is rejected for the first that matches:
/// 1. `blacklist.iban` — the SHA-256 of the normalised IBAN is blacklisted;
/// 2. `history.chargeback` — the IBAN was ever charged back;
/// 3. `history.cooldown` — another run charged the IBAN within the cooldown window;
/// 4. `blacklist.name` — first plus last name, folded (see `NameFolding`);
/// 5. `blacklist.email` — the e-mail, lower-cased;
/// 6. `blacklist.bic` — the BIC, or a prefix of it.
///
/// Blacklist checks use the in-memory `BlacklistIndex`; history checks use a `HistoryLookup`
/// (in production `AttemptHistory`: a per-run filter and at most one query per batch for its
/// candidates, never one per row).
/// Rows already rejected are not screened.
public struct ScreeningStage: Stage {
    public var name: StageName { .screen }

    public let rules: ScreeningRules
    public let index: BlacklistIndex
    public let history: (any HistoryLookup)?
    private let checks: [ScreeningRules.Check]
    private let iban: Int?
    private let firstName: Int?
    private let lastName: Int?
    private let fullName: Int?
    private let email: Int?
    private let bic: Int?

    /// - Parameters:
    ///   - columns: the pipeline's canonical columns, in value-table order. Checks whose
    ///     column the pipeline lacks are skipped.
    ///   - history: `nil` skips the chargeback and cooldown checks.
    public init(columns: [String], rules: ScreeningRules, index: BlacklistIndex, history: (any HistoryLookup)?) {
        self.rules = rules
        self.index = index
        self.history = history
        self.checks = rules.orderedChecks
        iban = columns.firstIndex(of: "iban")
        firstName = columns.firstIndex(of: "first_name")
        lastName = columns.firstIndex(of: "last_name")
        fullName = columns.firstIndex(of: "name")
        email = columns.firstIndex(of: "email")
        bic = columns.firstIndex(of: "bic")
    }

    /// Whether any check needs each row's IBAN digest. A SHA-256 per row is the dearest part
    /// of screening (and allocates a hashing context), so without an IBAN blacklist entry or
    /// any IBAN with billing history, rows are not hashed at all. History is taken once per run
    /// (attempts recorded during a run apply from the next), so no candidates now means none
    /// for the whole run.
    var needsDigests: Bool {
        (checks.contains(.ibanBlacklist) && !index.ibans.isEmpty)
            || ((history?.candidates ?? 0) > 0 && (checks.contains(.chargeback) || checks.contains(.cooldown)))
    }

    public func process(_ batch: inout RecordBatch) async throws {
        guard batch.columnCount > 0 else { return }
        let digests = needsDigests ? ibanDigests(of: batch) : [IBANDigest?](repeating: nil, count: batch.rowCount)
        var flags: [IBANDigest: HistoryFlags] = [:]
        if let history, history.candidates > 0, checks.contains(.chargeback) || checks.contains(.cooldown) {
            flags = try await history.historyFlags(for: digests.compactMap { $0 })
        }
        screen(&batch, digests: digests, history: flags)
    }

    /// The digest of each accepted row's IBAN; `nil` for other rows and empty IBANs.
    func ibanDigests(of batch: RecordBatch) -> [IBANDigest?] {
        var digests = [IBANDigest?](repeating: nil, count: batch.rowCount)
        guard let iban else { return digests }
        batch.arena.withUnsafeBufferPointer { arena in
            for row in 0..<batch.rowCount where batch.status[row] == .accepted {
                let span = batch.valueSpan(row: row, column: iban)
                guard !span.isEmpty else { continue }
                digests[row] = IBANDigest(normalized: UnsafeBufferPointer(rebasing: arena[span]))
            }
        }
        return digests
    }

    /// Applies the checks to every accepted row, given its IBAN digest and the history found.
    func screen(_ batch: inout RecordBatch, digests: [IBANDigest?], history: [IBANDigest: HistoryFlags]) {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(128)
        var verdicts: [(row: Int, check: ScreeningRules.Check)] = []
        // Local copies: reading `self.index` inside the row loop would retain and release
        // every collection of the index once per row.
        let ibans = index.ibans
        let names = index.names
        let emails = index.emails
        let index = self.index
        let checkBIC = index.bics.count + index.bicPrefixes.count > 0
        batch.arena.withUnsafeBufferPointer { arena in
            func value(_ row: Int, _ column: Int?) -> UnsafeBufferPointer<UInt8>? {
                guard let column else { return nil }
                let span = batch.valueSpan(row: row, column: column)
                return span.isEmpty ? nil : UnsafeBufferPointer(rebasing: arena[span])
            }
            for row in 0..<batch.rowCount where batch.status[row] == .accepted {
                let digest = digests[row]
                let found = history.isEmpty ? nil : digest.flatMap { history[$0] }
                for check in checks {
                    let matched: Bool
                    switch check {
                    case .ibanBlacklist:
                        matched = digest.map { ibans.contains($0) } ?? false
                    case .chargeback:
                        matched = found?.chargedBack ?? false
                    case .cooldown:
                        matched = found?.recentlyAttempted ?? false
                    case .nameBlacklist:
                        guard names.count > 0 else { continue }
                        scratch.removeAll(keepingCapacity: true)
                        if let first = value(row, firstName), let last = value(row, lastName) {
                            NameFolding.append(first, to: &scratch)
                            NameFolding.append(last, to: &scratch)
                        } else if let full = value(row, fullName) {
                            NameFolding.append(full, to: &scratch)
                        }
                        matched = !scratch.isEmpty && names.contains(scratch)
                    case .emailBlacklist:
                        guard emails.count > 0, let email = value(row, email) else { continue }
                        scratch.removeAll(keepingCapacity: true)
                        ScreeningKeys.appendEmail(email, to: &scratch)
                        matched = emails.contains(scratch)
                    case .bicBlacklist:
                        guard checkBIC, let bic = value(row, bic) else { continue }
                        scratch.removeAll(keepingCapacity: true)
                        ScreeningKeys.appendBIC(bic, to: &scratch)
                        matched = scratch.withUnsafeBufferPointer { index.matchesBIC($0) }
                    }
                    if matched {
                        verdicts.append((row, check))
                        break
                    }
                }
            }
        }
        for (row, check) in verdicts {
            batch.reject(row: row, code: check.code, message: Self.message(check, cooldownDays: rules.cooldownDays), column: column(of: check))
        }
    }

    private func column(of check: ScreeningRules.Check) -> String {
        switch check {
        case .ibanBlacklist, .chargeback, .cooldown: "iban"
        case .nameBlacklist: firstName != nil ? "first_name" : "name"
        case .emailBlacklist: "email"
        case .bicBlacklist: "bic"
        }
    }

    static func message(_ check: ScreeningRules.Check, cooldownDays: Int) -> String {
        switch check {
        case .ibanBlacklist: "IBAN is blacklisted"
        case .chargeback: "IBAN was charged back before"
        case .cooldown: "IBAN was charged by another run in the last \(cooldownDays) days"
        case .nameBlacklist: "Name is blacklisted"
        case .emailBlacklist: "Email is blacklisted"
        case .bicBlacklist: "BIC is blacklisted"
        }
    }
}
