import Foundation
import PostgresNIO
import SluiceCore

extension RunStore {
    /// The run whose id is `text`, a full UUID or a unique prefix of one (as `sluice runs`
    /// prints ids).
    ///
    /// - Throws: `SluiceError(.runNotFound)` when no run or more than one run matches,
    ///   `.invalidArgument` when `text` cannot start a UUID.
    public func resolveRun(_ text: String) async throws -> RunRecord {
        let prefix = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !prefix.isEmpty, prefix.count <= 36, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw SluiceError(.invalidArgument, "not a run id (a UUID or the start of one): \(text)")
        }
        if let id = UUID(uuidString: prefix) {
            guard let run = try await run(id: id) else { throw SluiceError(.runNotFound, "no run with id \(prefix)") }
            return run
        }
        let ids: [UUID]
        do {
            var found: [UUID] = []
            let pattern = prefix + "%"
            for try await id in try await connection.query(
                "SELECT id FROM sluice.runs WHERE id::text LIKE \(pattern) ORDER BY started_at DESC LIMIT 2", logger: logger
            ).decode(UUID.self) {
                found.append(id)
            }
            ids = found
        } catch {
            throw SluiceError(.database, "cannot look up run \(prefix)", underlying: error)
        }
        guard let id = ids.first else { throw SluiceError(.runNotFound, "no run id starts with \(prefix)") }
        guard ids.count == 1 else { throw SluiceError(.runNotFound, "more than one run id starts with \(prefix); give more of it") }
        guard let run = try await run(id: id) else { throw SluiceError(.runNotFound, "no run with id \(prefix)") }
        return run
    }

    /// Seconds per step that the run recorded when it finished; empty before that.
    public func timings(of runID: UUID) async throws -> [String: Double] {
        do {
            for try await text in try await connection.query(
                "SELECT coalesce(timings::text, '{}') FROM sluice.runs WHERE id = \(runID)", logger: logger
            ).decode(String.self) {
                return (try? JSONDecoder().decode([String: Double].self, from: Data(text.utf8))) ?? [:]
            }
            return [:]
        } catch {
            throw SluiceError(.database, "cannot read the timings of run \(runID.uuidString.lowercased())", underlying: error)
        }
    }
}
