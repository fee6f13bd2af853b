import Hummingbird
import Logging
import NIOCore

/// The request context of every `sluice serve` route: Hummingbird's core storage plus who is
/// asking (set by the auth middleware) and the request id that logs and problems carry.
public struct SluiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller the bearer token names; `nil` before auth ran or on an open route.
    public var caller: Caller?
    /// `X-Request-Id` of the request, or one this server made up.
    public var requestID: String
    /// The peer of the connection: what the webhook's allow-list and rate limit go by.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.caller = nil
        self.requestID = ""
    }
}

/// Who sent a request, as far as the audit log and role checks need to know.
public struct Caller: Sendable, Hashable {
    /// The token's name (`sluice token create --name`), what the audit table records.
    public var name: String
    public var role: Role
    /// The token's row id, or `nil` for a caller that is not a stored token.
    public var tokenID: Int64?

    public init(name: String, role: Role, tokenID: Int64? = nil) {
        self.name = name
        self.role = role
        self.tokenID = tokenID
    }

    /// What a token may do; each role may do everything the ones before it may.
    public enum Role: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
        case viewer, `operator`, admin

        public static func < (lhs: Role, rhs: Role) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }
}
