import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import SluiceServer

/// `AuthMiddleware` and `RequireRole` with a fixed table of tokens instead of the stored ones:
/// no token, a malformed header, unknown and revoked tokens, and each role against each group.
struct AuthMiddlewareTests {
    /// Three live tokens, one per role, and one revoked (which the verifier no longer knows).
    struct FixedTokens: TokenVerifier {
        static let secrets: [Caller.Role: String] = [.viewer: "slc_viewer", .operator: "slc_operator", .admin: "slc_admin"]
        static let revoked = "slc_revoked"

        func caller(for secret: String) async throws -> Caller? {
            Self.secrets.first { $0.value == secret }.map { Caller(name: "\($0.key.rawValue)-token", role: $0.key, tokenID: 1) }
        }
    }

    /// Routes built like the server's, with `FixedTokens`; the database client never connects here.
    static func routes(openMonitoring: Bool = true) -> ServerRoutes {
        let configuration = PostgresClient.Configuration(host: "127.0.0.1", port: 1, username: "none", password: nil, database: nil, tls: .disable)
        let client = PostgresClient(configuration: configuration)
        let logger = Logger(label: "test")
        return ServerRoutes(
            database: client, readiness: ReadinessCheck(database: client, s3: nil, bucket: nil, logger: logger), tokens: FixedTokens(),
            openMonitoring: openMonitoring, logger: logger)
    }

    /// One route per role group, through `ServerRoutes.group(for:in:)` as `router()` builds them,
    /// answering with who the middleware said is calling.
    static func groupRouter() -> Router<SluiceRequestContext> {
        let routes = routes()
        let router = Router(context: SluiceRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        for role in Caller.Role.allCases {
            routes.group(for: role, in: router).get("/\(role.rawValue)") { _, context in
                "\(context.caller?.name ?? "none") \(context.caller?.role.rawValue ?? "none")"
            }
        }
        return router
    }

    static func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

    static func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, code: String, _ comment: Comment) throws {
        #expect(response.status == status, comment)
        #expect(response.headers[.contentType] == "application/problem+json", comment)
        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        #expect(json?["code"] as? String == code, comment)
        #expect(json?["status"] as? Int == Int(status.code), comment)
    }

    @Test(arguments: [
        (nil, #"Bearer realm="sluice""#),
        ("Bearer", #"Bearer realm="sluice", error="invalid_token""#),
        ("Basic dXNlcjpwYXNz", #"Bearer realm="sluice", error="invalid_token""#),
        ("Bearer slc_admin extra", #"Bearer realm="sluice", error="invalid_token""#),
        ("Bearer slc_unknown", #"Bearer realm="sluice", error="invalid_token""#),
        ("Bearer \(FixedTokens.revoked)", #"Bearer realm="sluice", error="invalid_token""#),
        ("Bearer slc_ad\"min", #"Bearer realm="sluice", error="invalid_token""#),
    ] as [(String?, String)])
    func withoutAWorkingTokenEveryGroupAnswers401WithAChallenge(header: String?, challenge: String) async throws {
        let app = Application(router: Self.groupRouter())
        try await app.test(.router) { client in
            for role in Caller.Role.allCases {
                let headers: HTTPFields = header.map { [.authorization: $0] } ?? [:]
                try await client.execute(uri: "/\(role.rawValue)", method: .get, headers: headers) { response in
                    try Self.expectProblem(response, .unauthorized, code: "unauthorized", "\(header ?? "no header") on \(role)")
                    #expect(response.headers[.wwwAuthenticate] == challenge)
                }
            }
        }
    }

    @Test func eachRoleReachesItsGroupAndTheOnesBelowAndIsForbiddenAbove() async throws {
        let app = Application(router: Self.groupRouter())
        try await app.test(.router) { client in
            for caller in Caller.Role.allCases {
                for group in Caller.Role.allCases {
                    let secret = try #require(FixedTokens.secrets[caller])
                    try await client.execute(uri: "/\(group.rawValue)", method: .get, headers: Self.bearer(secret)) { response in
                        if caller >= group {
                            #expect(response.status == .ok, "\(caller) on \(group)")
                            #expect(String(buffer: response.body) == "\(caller.rawValue)-token \(caller.rawValue)", "the caller reaches the route")
                        } else {
                            try Self.expectProblem(response, .forbidden, code: "forbidden", "\(caller) on \(group)")
                            let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                            let detail = json?["detail"] as? String ?? ""
                            #expect(detail.contains(group.rawValue) && detail.contains("has \(caller.rawValue)"), "names both roles: \(detail)")
                        }
                    }
                }
            }
        }
    }

    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        let app = Application(router: Self.groupRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/viewer", method: .get, headers: [.authorization: "bearer slc_viewer"]) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(AuthMiddleware.bearerToken("BEARER abc") == "abc")
        #expect(AuthMiddleware.bearerToken("Bearer  abc") == "abc")
        #expect(AuthMiddleware.bearerToken("Bearer a\"b") == nil)
        #expect(AuthMiddleware.bearerToken("Token abc") == nil)
        #expect(AuthMiddleware.bearerToken("") == nil)
    }

    /// The server's own router: every route but health and bucket events needs a token, and a
    /// role below the route's is forbidden before the route runs (these routes reach no database).
    @Test func theServersRoutesNeedATokenAndTheRightRole() async throws {
        let router = Self.routes().router()
        // The webhook authenticates by its endpoint token and signatures, not API tokens.
        let open: Set<String> = ["/health/live", "/health/ready", "/metrics", "/v1/events/s3", "/webhooks/genesis/{token}"]
        let protected = router.routes.filter { !open.contains($0.path.description) }.map { (path: $0.path.description, method: $0.method) }
        let app = Application(router: router)
        try await app.test(.router) { client in
            #expect(protected.count >= 5)
            for route in protected {
                let uri = route.path.split(separator: "/")
                    .map { $0.hasPrefix(":") || $0.hasPrefix("*") ? "00000000-0000-0000-0000-000000000001" : String($0) }
                    .joined(separator: "/")
                for header in [nil, "Bearer slc_nobody", "Bearer \(FixedTokens.revoked)"] as [String?] {
                    let headers: HTTPFields = header.map { [.authorization: $0] } ?? [:]
                    try await client.execute(uri: "/" + uri, method: route.method, headers: headers) { response in
                        try Self.expectProblem(response, .unauthorized, code: "unauthorized", "\(route.method) \(route.path) with \(header ?? "no token")")
                    }
                }
            }
            // Starting a run needs an operator; the audit log an admin.
            try await client.execute(uri: "/v1/runs", method: .post, headers: Self.bearer("slc_viewer")) { response in
                try Self.expectProblem(response, .forbidden, code: "forbidden", "a viewer starts no run")
            }
            try await client.execute(uri: "/v1/runs", method: .post, headers: Self.bearer("slc_operator")) { response in
                #expect(response.status == .serviceUnavailable, "an operator reaches the route (which has no queue here)")
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: Self.bearer("slc_operator")) { response in
                try Self.expectProblem(response, .forbidden, code: "forbidden", "an operator reads no audit log")
            }
            try await client.execute(uri: "/v1/jobs/1", method: .get, headers: Self.bearer("slc_viewer")) { response in
                #expect(response.status == .serviceUnavailable, "a viewer reaches the route (which has no queue here)")
            }
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok, "health is open by default")
            }
        }
    }

    @Test func closedMonitoringNeedsAViewerToken() async throws {
        let app = Application(router: Self.routes(openMonitoring: false).router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                try Self.expectProblem(response, .unauthorized, code: "unauthorized", "closed health without a token")
            }
            try await client.execute(uri: "/health/live", method: .get, headers: Self.bearer("slc_viewer")) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
