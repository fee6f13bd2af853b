import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Tokens, roles and the audit log of `sluice serve` over real sockets: every route of
/// docs/openapi.yaml without a token, with a bad one and with each role's token made by the real
/// `sluice token create`; revocation; closed monitoring; the audit entry of a started run.
@Suite(.serialized)
struct AuthTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    /// Who may call a route.
    enum Access: Equatable {
        /// Health and metrics: open by default, for viewers with SLUICE_OPEN_MONITORING=false.
        case monitoring
        /// MinIO's own token (SLUICE_EVENTS_TOKEN), not an API token.
        case events
        /// The gateway's notifications: the endpoint token in the path and the signature.
        case webhook
        case viewer, `operator`, admin

        var rank: Int? {
            switch self {
            case .viewer: 0
            case .operator: 1
            case .admin: 2
            case .monitoring, .events, .webhook: nil
            }
        }
    }

    /// Every operation of docs/openapi.yaml and who may call it. A route added to the document
    /// without a row here fails `everyRouteAnswers401WithoutAGoodToken403BelowItsRoleAndServesItsRole`.
    static let access: [String: Access] = [
        "GET /health/live": .monitoring,
        "GET /health/ready": .monitoring,
        "GET /metrics": .monitoring,
        "POST /v1/events/s3": .events,
        "POST /webhooks/genesis/{token}": .webhook,
        "GET /v1/notifications": .viewer,
        "GET /v1/notifications/{id}": .viewer,
        "POST /v1/notifications/{id}/replay": .operator,
        "POST /v1/attempts/{id}/reconcile": .operator,
        "GET /v1/attempts/{id}/events": .viewer,
        "POST /v1/reconciliations": .operator,
        "GET /v1/chargebacks": .viewer,
        "GET /v1/runs": .viewer,
        "POST /v1/runs": .operator,
        "GET /v1/runs/{id}": .viewer,
        "GET /v1/runs/{id}/summary": .viewer,
        "GET /v1/runs/{id}/rejections": .viewer,
        "GET /v1/runs/{id}/vop": .viewer,
        "GET /v1/runs/{id}/billing": .viewer,
        "POST /v1/runs/{id}/billing": .operator,
        "GET /v1/attempts": .viewer,
        "GET /v1/runs/{id}/billing/report": .viewer,
        "POST /v1/runs/{id}/cancel": .operator,
        "POST /v1/runs/{id}/resume": .operator,
        "POST /v1/uploads": .operator,
        "GET /v1/pipelines": .viewer,
        "GET /v1/pipelines/{name}": .viewer,
        "GET /v1/jobs/{id}": .viewer,
        "GET /v1/blacklist": .viewer,
        "POST /v1/blacklist": .admin,
        "DELETE /v1/blacklist/{id}": .admin,
        "POST /v1/blacklist/import": .admin,
        "GET /v1/blacklist/export": .admin,
        "GET /v1/audit": .admin,
    ]

    /// The operations of docs/openapi.yaml as `METHOD /path`, with the role the document names
    /// (`x-sluice-role`, `nil` where it names none), read line by line: paths at two spaces,
    /// methods at four, their members at six, as the document is written.
    static func documentedOperations() throws -> [String: String?] {
        let text = try String(contentsOfFile: IntegrationEnvironment.path("docs/openapi.yaml"), encoding: .utf8)
        var operations: [String: String?] = [:]
        var inPaths = false
        var path: String?
        var operation: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty { inPaths = line == "paths:"; path = nil; operation = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
                operation = nil
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.trimmingCharacters(in: .whitespaces)
                let method = key.hasSuffix(":") ? String(key.dropLast()) : ""
                operation = ["get", "post", "put", "patch", "delete"].contains(method) ? "\(method.uppercased()) \(path)" : nil
                if let operation { operations[operation] = .some(nil) }
            } else if let operation, line.hasPrefix("      x-sluice-role:") {
                operations[operation] = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        return operations
    }

    /// A request for an operation: path parameters that name nothing, and an empty JSON body,
    /// so a caller with enough role gets some answer of the route that changes nothing.
    static func request(_ operation: String, base: String) -> HTTPClientRequest {
        let parts = operation.split(separator: " ", maxSplits: 1)
        let path = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("{") ? "00000000-0000-4000-8000-000000000000" : String($0) }
            .joined(separator: "/")
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: String(parts[0]))
        if request.method != .GET && request.method != .DELETE {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: "{}"))
        }
        return request
    }

    /// Tokens of each role, made with the real CLI under fresh names.
    func tokens() async throws -> [(access: Access, name: String, secret: String)] {
        var tokens: [(Access, String, String)] = []
        for role in [Access.viewer, .operator, .admin] {
            let name = IntegrationEnvironment.uniqueName("auth-\(role)")
            tokens.append((role, name, try await createToken(role: "\(role)", name: name)))
        }
        return tokens
    }

    @Test func everyRouteAnswers401WithoutAGoodToken403BelowItsRoleAndServesItsRole() async throws {
        let roles = try Self.documentedOperations()
        let documented = Set(roles.keys)
        #expect(documented.contains("GET /v1/runs") && documented.contains("GET /v1/audit"), "the document was read: \(documented)")
        let unlisted = documented.subtracting(Self.access.keys)
        #expect(unlisted.isEmpty, "routes without a row in AuthTests.access: \(unlisted.sorted())")
        for (operation, role) in roles {
            guard let access = Self.access[operation], access.rank != nil else { continue }
            #expect(role == "\(access)", "docs/openapi.yaml says x-sluice-role \(role ?? "nothing") for \(operation), this test \(access)")
        }

        let server = try await startServer(environment: ["SLUICE_WORKERS": "0", "SLUICE_WATCH_INTERVAL": "0"])
        let tokens = try await tokens()
        let revokedName = IntegrationEnvironment.uniqueName("auth-revoked")
        let revoked = try await createToken(role: "admin", name: revokedName)
        let revoke = try await cli.run(["token", "revoke", revokedName], timeout: .seconds(60))
        #expect(revoke.status == 0 && revoke.stdout.contains(revokedName), "\(revoke.stderr)")

        for operation in documented.sorted() {
            guard let access = Self.access[operation] else { continue }
            switch access {
            case .events:
                // An API token is not MinIO's token: still 401 (or 503 when events are not configured).
                let answer = try await send(Self.request(operation, base: server.base), auth: .bearer(tokens[2].secret))
                #expect(answer.status == 401 || answer.status == 503, "\(operation) with an admin token: \(answer.status)")
            case .webhook:
                // An API token opens nothing here: the endpoint token is unknown, whatever the role.
                let answer = try await send(Self.request(operation, base: server.base), auth: .bearer(tokens[2].secret))
                #expect(answer.status == 403 && answer.json["code"] as? String == "unknown_endpoint", "\(operation): \(answer.status) \(answer.json)")
            case .monitoring:
                let answer = try await send(Self.request(operation, base: server.base), auth: .none)
                #expect(answer.status != 401 && answer.status != 403, "\(operation) is open by default: \(answer.status)")
            case .viewer, .operator, .admin:
                for (label, auth) in [
                    ("no token", Credentials.none), ("an unknown token", .bearer("slc_" + String(repeating: "A", count: 43))),
                    ("a revoked token", .bearer(revoked)), ("not a bearer header", .header("Basic YWRtaW46YWRtaW4=")),
                    ("an empty bearer", .header("Bearer ")),
                ] {
                    let answer = try await send(Self.request(operation, base: server.base), auth: auth)
                    #expect(answer.status == 401, "\(operation) with \(label): \(answer.status) \(answer.json)")
                    #expect(answer.json["code"] as? String == "unauthorized" && answer.contentType == "application/problem+json", "\(operation) with \(label)")
                    #expect(answer.challenge?.hasPrefix(#"Bearer realm="sluice""#) == true, "\(operation) with \(label): \(answer.challenge ?? "no challenge")")
                }
                for token in tokens {
                    let answer = try await send(Self.request(operation, base: server.base), auth: .bearer(token.secret))
                    if let mine = token.access.rank, let needed = access.rank, mine >= needed {
                        #expect(answer.status != 401 && answer.status != 403, "\(operation) as \(token.access): \(answer.status) \(answer.json)")
                    } else {
                        #expect(answer.status == 403, "\(operation) as \(token.access): \(answer.status) \(answer.json)")
                        #expect(answer.json["code"] as? String == "forbidden", "\(operation) as \(token.access)")
                        #expect((answer.json["detail"] as? String)?.contains("\(access)") == true, "names the role needed: \(answer.json)")
                    }
                }
            }
        }

        // Revoking a token that worked makes it 401 from the next request on.
        let viewer = tokens[0]
        #expect(try await get(server.base + "/v1/runs?limit=1", auth: .bearer(viewer.secret)).status == 200)
        let revokeViewer = try await cli.run(["token", "revoke", viewer.name], timeout: .seconds(60))
        #expect(revokeViewer.status == 0, "\(revokeViewer.stderr)")
        // Each node remembers a token for up to 2 s (SLUICE_TOKEN_CACHE_SECONDS) before asking again.
        var revokedStatus = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            revokedStatus = try await get(server.base + "/v1/runs?limit=1", auth: .bearer(viewer.secret)).status
            if revokedStatus == 401 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(revokedStatus == 401, "a revoked token is refused within the cache's 2 s")
        let again = try await cli.run(["token", "revoke", viewer.name], timeout: .seconds(60))
        #expect(again.status == 4, "a token revoked before is no live token: \(again.stderr)")

        // Listing shows names, roles and prefixes, never a secret; the used token was marked used.
        let list = try await cli.run(["token", "list", "--json", "--all"], timeout: .seconds(60))
        #expect(list.status == 0, "\(list.stderr)")
        for token in tokens { #expect(!list.stdout.contains(token.secret), "no secret in the listing") }
        let rows = list.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let listedViewer = rows.first { $0["name"] as? String == viewer.name }
        #expect(listedViewer?["role"] as? String == "viewer" && listedViewer?["revoked_at"] is String && listedViewer?["last_used_at"] is String,
                "\(listedViewer ?? [:])")
        #expect((listedViewer?["prefix"] as? String).map { viewer.secret.hasPrefix($0) && $0.count < 16 } == true)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.api_tokens WHERE name = '\(viewer.name)' AND length(token_hash) = 32") == 1)

        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    @Test func tokenNamesAreUniqueAmongLiveTokensAndRolesAreChecked() async throws {
        let name = IntegrationEnvironment.uniqueName("auth-dup")
        _ = try await createToken(role: "viewer", name: name)
        let duplicate = try await cli.run(["token", "create", "--role", "viewer", "--name", name], timeout: .seconds(60))
        #expect(duplicate.status == 4 && duplicate.stdout.isEmpty, "\(duplicate.stderr)")
        let badRole = try await cli.run(["token", "create", "--role", "root", "--name", name + "x"], timeout: .seconds(60))
        #expect(badRole.status == 4 && badRole.stderr.contains("viewer, operator, admin"), "\(badRole.stderr)")
        // Once revoked, the name may be given out again.
        #expect(try await cli.run(["token", "revoke", name], timeout: .seconds(60)).status == 0)
        let reused = try await cli.run(["token", "create", "--role", "operator", "--name", name], timeout: .seconds(60))
        #expect(reused.status == 0 && reused.stdout.hasPrefix("slc_") && reused.stderr.contains("shown only now"), "\(reused.stderr)")
    }

    @Test func healthIsOpenByDefaultAndNeedsAViewerWhenMonitoringIsClosed() async throws {
        let open = try await startServer(environment: ["SLUICE_WORKERS": "0", "SLUICE_WATCH_INTERVAL": "0"])
        #expect(try await get(open.base + "/health/live", auth: .none).status == 200)
        #expect(open.stop().status == 0)

        let closed = try await startServer(environment: ["SLUICE_WORKERS": "0", "SLUICE_WATCH_INTERVAL": "0", "SLUICE_OPEN_MONITORING": "false"])
        let viewer = try await createToken(role: "viewer", name: IntegrationEnvironment.uniqueName("auth-health"))
        for path in ["/health/live", "/health/ready"] {
            let anonymous = try await get(closed.base + path, auth: .none)
            #expect(anonymous.status == 401 && anonymous.json["code"] as? String == "unauthorized", "\(path): \(anonymous.status)")
            #expect(try await get(closed.base + path, auth: .bearer("slc_nothing")).status == 401)
            let answer = try await get(closed.base + path, auth: .bearer(viewer))
            #expect(answer.status == 200, "\(path) as a viewer: \(answer.json)")
        }
        #expect(closed.stop().status == 0)
    }

    @Test func startingARunIsAuditedUnderTheTokensName() async throws {
        let folder = NSTemporaryDirectory() + "auth-pipelines-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = try IntegrationEnvironment.pipelineFile("authrun", in: folder)
        let path = NSTemporaryDirectory() + "authrun-\(UUID().uuidString.prefix(8)).csv"
        _ = try IntegrationEnvironment.generate(rows: 20, seed: 51, to: path)
        let input = try await environment.upload(path, key: "it/\(UUID().uuidString)/incoming/authrun.csv")

        let server = try await startServer(pipelines: folder)
        let name = IntegrationEnvironment.uniqueName("auth-operator")
        let token = try await createToken(role: "operator", name: name)
        let (accepted, _) = try await post(
            server.base + "/v1/runs", json: #"{"pipeline": "\#(pipeline.name)", "input": "\#(input)"}"#,
            headers: [("X-Request-Id", "auth-test-\(name)")], auth: .bearer(token))
        #expect(accepted.status == 202, "\(accepted.json)")
        let jobID = try #require(accepted.json["job_id"] as? Int)

        #expect(try await environment.scalar("""
            SELECT count(*) FROM sluice.audit
            WHERE action = 'run.start' AND actor = '\(name)' AND role = 'operator' AND subject = '\(input)'
              AND detail->>'job_id' = '\(jobID)' AND detail->>'pipeline' = '\(pipeline.name)' AND node IS NOT NULL
              AND request_id = 'auth-test-\(name)'
              AND at > now() - interval '5 minutes'
            """) == 1)

        // The admin reads it back, newest first, filtered by action and paged by cursor.
        let recent = try await get(server.base + "/v1/audit?action=run.start&limit=100")
        #expect(recent.status == 200, "\(recent.json)")
        let items = recent.json["items"] as? [[String: Any]] ?? []
        #expect(items.allSatisfy { $0["action"] as? String == "run.start" })
        let mine = items.first { $0["actor"] as? String == name }
        #expect(mine?["role"] as? String == "operator" && mine?["subject"] as? String == input, "\(mine ?? [:])")
        #expect((mine?["detail"] as? [String: String])?["job_id"] == "\(jobID)")
        #expect(mine?["at"] is String && mine?["request_id"] as? String == "auth-test-\(name)")
        // A second entry of this test's own, so paging never depends on what ran before it.
        let added = try await post(
            server.base + "/v1/blacklist", json: #"{"kind": "iban", "value": "\#(TestIBAN.unique())", "reason": "audit paging"}"#).0
        #expect(added.status == 201, "\(added.json)")
        var removal = HTTPClientRequest(url: server.base + "/v1/blacklist/\(added.json["id"] as? Int ?? 0)")
        removal.method = .DELETE
        #expect(try await send(removal).status == 204)
        let first = try await get(server.base + "/v1/audit?limit=1")
        let newest = (first.json["items"] as? [[String: Any]])?.first?["id"] as? Int ?? 0
        let cursor = try #require(first.json["next_cursor"] as? String, "a second page after the blacklist entries")
        let next = try await get(server.base + "/v1/audit?limit=1&cursor=\(cursor)")
        let older = (next.json["items"] as? [[String: Any]])?.first?["id"] as? Int ?? .max
        #expect(next.status == 200 && older < newest, "the next page is older: \(older) after \(newest)")
        #expect(try await get(server.base + "/v1/audit?cursor=!!").status == 400)
        #expect(try await get(server.base + "/v1/audit?limit=0").status == 400)
        #expect(try await get(server.base + "/v1/audit", auth: .bearer(token)).status == 403, "an operator reads no audit log")

        #expect(try await finalState(server, job: jobID) == "completed")
        #expect(server.stop().status == 0)
    }
}
