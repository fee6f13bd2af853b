import NIOCore
import SluiceCore

/// Which source addresses may post notifications: IPv4 and IPv6 networks in CIDR form
/// (`203.0.113.0/24`, `2001:db8::/32`, or one address). Empty allows every address.
public struct AddressAllowList: Sendable, Hashable {
    struct Network: Sendable, Hashable {
        var bytes: [UInt8]
        var prefix: Int
    }

    var networks: [Network]

    public static let everyone = AddressAllowList(networks: [])

    init(networks: [Network]) {
        self.networks = networks
    }

    /// From a comma-separated list; an entry that is not an address or network is an error naming it.
    public init(parsing text: String) throws {
        var networks: [Network] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.bytes(of: parts[0]) else {
                throw SluiceError(.invalidArgument, "SLUICE_WEBHOOK_ALLOW: '\(entry)' is not an IP address or network")
            }
            let width = bytes.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : width
            guard let prefix, (0...width).contains(prefix) else {
                throw SluiceError(.invalidArgument, "SLUICE_WEBHOOK_ALLOW: '\(entry)' has a prefix outside 0…\(width)")
            }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
        self.networks = networks
    }

    /// Whether `address` may post; a missing address (a Unix socket) only when the list is empty.
    public func allows(_ address: SocketAddress?) -> Bool {
        guard !networks.isEmpty else { return true }
        guard let text = address?.ipAddress, let bytes = Self.bytes(of: text) else { return false }
        return networks.contains { Self.matches(bytes, $0) }
    }

    static func matches(_ bytes: [UInt8], _ network: Network) -> Bool {
        var candidate = bytes
        // An IPv4 client seen as ::ffff:a.b.c.d by a dual-stack socket.
        if network.bytes.count == 4, candidate.count == 16, candidate.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            candidate = Array(candidate.suffix(4))
        }
        guard candidate.count == network.bytes.count else { return false }
        var remaining = network.prefix
        for (own, allowed) in zip(candidate, network.bytes) where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if own & mask != allowed & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The 4 or 16 bytes of an IP address in text.
    static func bytes(of text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }
}
