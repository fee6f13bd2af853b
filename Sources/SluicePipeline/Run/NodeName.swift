import Foundation

/// This process as a run's lease owner and node: `host/pid`.
enum NodeName {
    /// `gethostname` rather than `ProcessInfo.hostName`, which may wait on a DNS lookup.
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        return gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "unknown"
    }()

    static let current = "\(host)/\(ProcessInfo.processInfo.processIdentifier)"

    /// Whether `owner` names a process of this host that no longer exists. A pid that was
    /// reused counts as alive (the lease then simply expires); fencing keeps a wrong guess
    /// harmless either way.
    static func isGoneLocalProcess(_ owner: String) -> Bool {
        let parts = owner.split(separator: "/")
        guard parts.count == 2, String(parts[0]) == host, let pid = Int32(parts[1]), pid > 0,
              pid != ProcessInfo.processInfo.processIdentifier else { return false }
        return kill(pid, 0) == -1 && errno == ESRCH
    }
}
