import Foundation
import SluicePostgres

/// A daily allowance of paid provider calls, shared by every run and node (`VOPDailyBudget`
/// in PostgreSQL). The stage reserves the calls a batch needs before making them.
public protocol VOPCallBudget: Sendable {
    /// Grants up to `calls` calls of `provider` from the allowance of `now`'s UTC day.
    /// - Returns: how many were granted, 0 … `calls`; the rest must not be made.
    func reserve(_ calls: Int, provider: String, now: Date) async throws -> Int
}

extension VOPDailyBudget: VOPCallBudget {}
