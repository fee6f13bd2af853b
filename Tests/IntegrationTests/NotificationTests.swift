import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SluiceGenesis
import SluiceSimulators
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Gateway notifications on a real `sluice serve` over real sockets: the webhook's refusals,
/// signatures, durable and idempotent storage, processing onto billing attempts, chargebacks
/// that blacklist, the simulator re-sending until it gets the echo, and a node killed between
/// the durable write and processing.
@Suite(.serialized)
struct NotificationTests: ServeTesting {
    let environment: IntegrationEnvironment
    let cli: SluiceCLI

    init() throws {
        environment = try IntegrationEnvironment()
        cli = try SluiceCLI()
    }

    static let form = "application/x-www-form-urlencoded"

    /// An endpoint token of its own for each test, so tests never share endpoints.
    static func endpointToken() -> String { "tok" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    func webhookEnvironment(_ endpoints: [(token: String, terminal: String)], passwords: [String: String], extra: [String: String] = [:]) -> [String: String] {
        var variables = extra
        variables["SLUICE_GENESIS_ENDPOINTS"] = endpoints.map { "\($0.token)=\($0.terminal)" }.joined(separator: ",")
        for (terminal, password) in passwords {
            variables["SLUICE_GENESIS_PASSWORD_" + GenesisConfiguration.environmentSuffix(terminal)] = password
        }
        return variables
    }

    /// A signed notification body, form-urlencoded.
    static func body(
        uniqueID: String, status: String = "approved", password: String, algorithm: GenesisSignature.Algorithm = .sha1, signature: String? = nil,
        extra: [(String, String)] = []
    ) -> String {
        let fields = [("transaction_id", "tx-\(uniqueID)"), ("unique_id", uniqueID), ("transaction_type", "sdd_sale"), ("status", status)] + extra
            + [("signature", signature ?? GenesisSignature.sign(uniqueID: uniqueID, password: password, algorithm: algorithm))]
        return fields.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)?.replacingOccurrences(of: "%20", with: "+") ?? text
    }

    struct Reply {
        var status: Int
        var body: String
        var contentType: String?
        var headers: [String: String]
        var code: String? { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["code"] as? String }
    }

    func deliver(_ url: String, method: HTTPMethod = .POST, body: String, contentType: String = Self.form) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Content-Type", value: contentType)
        if method == .POST || method == .PUT { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), body: text, contentType: response.headers.first(name: "content-type"), headers: headers)
    }

    /// A billing attempt and its profile, as billing leaves them after a sale the gateway holds.
    @discardableResult
    func attempt(uniqueID: String, status: String = "pending", amount: Int64 = 1_000) async throws -> Int64 {
        try await environment.scalar("""
            WITH hash AS (SELECT decode(md5(random()::text) || md5(random()::text), 'hex') AS h),
            profile AS (
                INSERT INTO sluice.debtor_profiles (iban_hash, model, charged_minor, open_transaction_id)
                SELECT h, 'legacy', \(amount), 'tx-\(uniqueID)' FROM hash)
            INSERT INTO sluice.billing_attempts (iban_hash, iban_masked, amount_minor, currency, status, transaction_id, unique_id, terminal, model, sent_at)
            SELECT h, 'NL91********4300', \(amount), 'EUR', '\(status)', 'tx-\(uniqueID)', '\(uniqueID)', 'term-a', 'legacy', now() FROM hash
            RETURNING id
            """)
    }

    func waitUntil(_ seconds: Int = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    func processed(_ uniqueIDs: [String]) async throws -> Bool {
        let list = uniqueIDs.map { "'\($0)'" }.joined(separator: ",")
        return try await environment.scalar("""
            SELECT count(*) FROM sluice.notifications WHERE unique_id IN (\(list)) AND signature_ok AND processed_at IS NULL
            """) == 0
    }

    // MARK: Transport

    @Test func eachTransportRefusalHasItsOwnStatus() async throws {
        let token = Self.endpointToken()
        let server = try await startServer(environment: webhookEnvironment(
            [(token, "term-a")], passwords: ["term-a": "pa"], extra: ["SLUICE_WEBHOOK_RATE": "5"]))
        let url = server.base + "/webhooks/genesis/\(token)"
        let good = Self.body(uniqueID: "tr-\(UUID().uuidString)", password: "pa")

        let get = try await deliver(url, method: .GET, body: "")
        #expect(get.status == 405 && get.headers["allow"] == "POST" && get.code == "method_not_allowed")
        #expect(try await deliver(url, method: .PUT, body: good).status == 405)
        let unknown = try await deliver(server.base + "/webhooks/genesis/\(Self.endpointToken())", body: good)
        #expect(unknown.status == 403 && unknown.code == "unknown_endpoint")
        let json = try await deliver(url, body: #"{"unique_id": "x"}"#, contentType: "application/json")
        #expect(json.status == 415 && json.code == "unsupported_media_type")
        let large = try await deliver(url, body: good + "&padding=" + String(repeating: "a", count: 70 << 10))
        #expect(large.status == 413 && large.code == "too_large")
        let missing = try await deliver(url, body: "status=approved&signature=abc")
        #expect(missing.status == 400 && missing.body.contains("unique_id"))
        // With a charset parameter the type is still the form's.
        #expect(try await deliver(url, body: good, contentType: Self.form + "; charset=utf-8").status == 200)

        // 5 a second per source: a burst of 60 meets 429s that say when to come back, however slow the machine.
        var limited: [Reply] = []
        for index in 0..<60 {
            let reply = try await deliver(url, body: Self.body(uniqueID: "burst-\(index)-\(UUID().uuidString)", password: "pa"))
            if reply.status == 429 { limited.append(reply) }
        }
        #expect(!limited.isEmpty && limited.allSatisfy { $0.headers["retry-after"] == "1" && $0.code == "rate_limited" })
        #expect(server.stop().status == 0)

        // A source outside the allow-list is refused before anything else is read.
        let fenced = try await startServer(environment: webhookEnvironment(
            [(token, "term-a")], passwords: ["term-a": "pa"], extra: ["SLUICE_WEBHOOK_ALLOW": "10.0.0.0/8, 2001:db8::/32"]))
        let refused = try await deliver(fenced.base + "/webhooks/genesis/\(token)", body: good)
        #expect(refused.status == 403 && refused.code == "forbidden_source")
        #expect(fenced.stop().status == 0)
    }

    // MARK: Signatures

    @Test func everySignatureLengthIsAcceptedAndABadOneIsKeptForAuditButNeverProcessed() async throws {
        let tokenA = Self.endpointToken(), tokenB = Self.endpointToken()
        let server = try await startServer(environment: webhookEnvironment(
            [(tokenA, "term-a"), (tokenB, "term-b")], passwords: ["term-a": "password-a", "term-b": "password-b"]))
        let urlA = server.base + "/webhooks/genesis/\(tokenA)", urlB = server.base + "/webhooks/genesis/\(tokenB)"
        let run = UUID().uuidString.prefix(8)

        for algorithm in GenesisSignature.Algorithm.allCases {
            let uniqueID = "sig-\(run)-\(algorithm.hexLength)"
            let reply = try await deliver(urlA, body: Self.body(uniqueID: uniqueID, password: "password-a", algorithm: algorithm))
            #expect(reply.status == 200, "\(algorithm): \(reply.body)")
            #expect(reply.contentType == "application/xml")
            #expect(reply.body.contains("<notification_echo>") && reply.body.contains("<unique_id>\(uniqueID)</unique_id>"))
        }
        // Upper-case hex is the same signature.
        let upper = "sig-\(run)-upper"
        let upperSignature = GenesisSignature.sign(uniqueID: upper, password: "password-a", algorithm: .sha256).uppercased()
        #expect(try await deliver(urlA, body: Self.body(uniqueID: upper, password: "", signature: upperSignature)).status == 200)

        // A wrong signature, a signature of another length and another terminal's password.
        let wrong = "sig-\(run)-wrong"
        let bad = try await deliver(urlA, body: Self.body(uniqueID: wrong, password: "", signature: String(repeating: "0", count: 40)))
        #expect(bad.status == 401 && bad.code == "bad_signature")
        #expect(try await deliver(urlA, body: Self.body(uniqueID: wrong, password: "", signature: "abc123")).status == 401)
        let crossed = "sig-\(run)-crossed"
        #expect(try await deliver(urlA, body: Self.body(uniqueID: crossed, password: "password-b")).status == 401)
        #expect(try await deliver(urlB, body: Self.body(uniqueID: crossed, password: "password-b")).status == 200)

        // Kept for audit, each time it came, and never processed.
        #expect(try await environment.scalar(
            "SELECT count(*) FROM sluice.notifications WHERE unique_id IN ('\(wrong)', '\(crossed)') AND NOT signature_ok") == 3)
        #expect(try await waitUntil { try await processed(["sig-\(run)-40", "sig-\(run)-64", "sig-\(run)-128", upper, crossed]) })
        #expect(try await environment.scalar(
            "SELECT count(*) FROM sluice.notifications WHERE unique_id = '\(wrong)' AND (processed_at IS NOT NULL OR outcome IS NOT NULL)") == 0)
        let failed = try await get(server.base + "/v1/notifications?signature=failed&limit=500")
        let items = failed.json["items"] as? [[String: Any]] ?? []
        #expect(items.filter { ($0["unique_id"] as? String) == wrong }.count == 2)
        #expect(items.allSatisfy { $0["signature_ok"] as? Bool == false })
        // Unknown transactions: stored, processed, reported.
        let unknown = try await get(server.base + "/v1/notifications?outcome=unknown_transaction&limit=500")
        #expect((unknown.json["items"] as? [[String: Any]] ?? []).contains { $0["unique_id"] as? String == crossed })
        #expect(server.stop().status == 0)
    }

    // MARK: Processing

    @Test func duplicatesOutOfOrderTamperedAndUnknownNotificationsAreEachHandledOnce() async throws {
        let token = Self.endpointToken()
        let server = try await startServer(environment: webhookEnvironment([(token, "term-a")], passwords: ["term-a": "pa"]))
        let url = server.base + "/webhooks/genesis/\(token)"
        let run = UUID().uuidString.prefix(8)
        let ordered = "ord-\(run)", tampered = "tam-\(run)", late = "late-\(run)"
        let orderedID = try await attempt(uniqueID: ordered)
        let tamperedID = try await attempt(uniqueID: tampered, amount: 500)

        // The same notification twice: the same echo, stored once, processed once.
        let approved = Self.body(uniqueID: ordered, password: "pa", extra: [("amount", "1000")])
        let first = try await deliver(url, body: approved)
        let second = try await deliver(url, body: approved)
        #expect(first.status == 200 && second.status == 200 && first.body == second.body)
        // A late pending after the approval: stored as new information, recorded, not applied.
        #expect(try await deliver(url, body: Self.body(uniqueID: ordered, status: "pending", password: "pa")).status == 200)
        // The signature covers unique_id only: an amount that is not the attempt's is not applied.
        #expect(try await deliver(url, body: Self.body(uniqueID: tampered, password: "pa", extra: [("amount", "1")])).status == 200)
        // For a transaction no attempt has (yet).
        #expect(try await deliver(url, body: Self.body(uniqueID: late, password: "pa")).status == 200)

        #expect(try await waitUntil { try await processed([ordered, tampered, late]) })
        #expect(try await environment.strings("""
            SELECT status || ':' || duplicates || ':' || outcome FROM sluice.notifications WHERE unique_id = '\(ordered)' ORDER BY id
            """) == ["approved:1:applied", "pending:0:stale"])
        #expect(try await environment.strings("SELECT status FROM sluice.billing_attempts WHERE id = \(orderedID)") == ["approved"])
        #expect(try await environment.strings("""
            SELECT from_status || '>' || to_status || ':' || applied || ':' || source FROM sluice.attempt_events WHERE attempt_id = \(orderedID) ORDER BY id
            """) == ["pending>approved:true:notification", "approved>pending:false:notification"])
        #expect(try await environment.strings("SELECT (open_transaction_id IS NULL)::text FROM sluice.debtor_profiles p JOIN sluice.billing_attempts a USING (iban_hash) WHERE a.id = \(orderedID)") == ["true"])
        #expect(try await environment.strings("SELECT outcome FROM sluice.notifications WHERE unique_id = '\(tampered)'") == ["amount_mismatch"])
        #expect(try await environment.strings("SELECT status FROM sluice.billing_attempts WHERE id = \(tamperedID)") == ["pending"])
        let lateID = try #require(try await environment.integers("SELECT id FROM sluice.notifications WHERE unique_id = '\(late)'").first)
        let shown = try await get(server.base + "/v1/notifications/\(lateID)")
        #expect(shown.json["outcome"] as? String == "unknown_transaction" && (shown.json["fields"] as? [String: String])?["signature"] == nil)
        #expect((shown.json["fields"] as? [String: String])?["status"] == "approved")

        // Its attempt appears later (another node's billing committed late): a replay applies it.
        let lateAttempt = try await attempt(uniqueID: late)
        let (replayed, location) = try await post(server.base + "/v1/notifications/\(lateID)/replay", json: "")
        #expect(replayed.status == 202 && location?.hasPrefix("/v1/jobs/") == true)
        #expect(try await finalState(server, job: try #require(replayed.json["job_id"] as? Int)) == "completed")
        #expect(try await environment.strings("SELECT outcome || ':' || replays FROM sluice.notifications WHERE id = \(lateID)") == ["applied:1"])
        #expect(try await environment.strings("SELECT status FROM sluice.billing_attempts WHERE id = \(lateAttempt)") == ["approved"])
        // A replay of an applied notification changes nothing.
        let again = try await post(server.base + "/v1/notifications/\(lateID)/replay", json: "").0
        #expect(try await finalState(server, job: try #require(again.json["job_id"] as? Int)) == "completed")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.attempt_events WHERE attempt_id = \(lateAttempt)") == 1)
        #expect(try await get(server.base + "/v1/notifications/999999999").status == 404)
        #expect(try await get(server.base + "/v1/notifications?outcome=nope").status == 400)

        // The CLI shows and replays the same.
        let listed = try await cli.run(["notifications", "list", "--unique-id", ordered, "--json"])
        #expect(listed.status == 0 && listed.stdout.contains("\"stale\""), "\(listed.stderr)")
        let shownByCLI = try await cli.run(["notifications", "show", String(lateID)])
        #expect(shownByCLI.status == 0 && shownByCLI.stdout.contains(late))
        let badReplay = try await cli.run(["notifications", "replay", "999999999"])
        #expect(badReplay.status != 0 && badReplay.stderr.contains("no notification"))

        // The node's metrics count what it received and processed, and time the answers.
        let metrics = try await deliver(server.base + "/metrics", method: .GET, body: "").body
        func value(_ prefix: String) -> Double {
            metrics.split(separator: "\n").filter { $0.hasPrefix(prefix) }.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        #expect(value("sluice_notifications_received_total{outcome=\"stored\"}") == 4)
        #expect(value("sluice_notifications_received_total{outcome=\"duplicate\"}") == 1)
        #expect(value("sluice_notification_ack_seconds_count") == 5)
        #expect(value("sluice_notifications_processed_total{outcome=\"stale\"}") == 1)
        #expect(value("sluice_notifications_processed_total{outcome=\"amount_mismatch\"}") == 1)
        #expect(server.stop().status == 0)
    }

    // MARK: The simulator, chargebacks and the blacklist

    /// Nothing listens on the port at first, so the simulator's notifications fail and are sent
    /// again until the node that starts there echoes them; chargebacks then blacklist the IBAN
    /// whose code is in the list (AC04) and not the one whose code is not (AM04).
    @Test func simulatorNotificationsAreResentUntilEchoedAndAChargebackBlacklistsForTheNextRun() async throws {
        let blacklisted = BillingTests.dutchIBAN(), kept = BillingTests.dutchIBAN()
        var configuration = GatewaySimulatorConfiguration(
            chargebackIBANs: [blacklisted: "AC04", kept: "AM04"], chargebackDelayMs: 300, notificationDelayMs: 100, notificationAttempts: 12,
            notificationRetryMs: 300, signatureAlgorithm: .sha512)
        configuration.faults.duplicateNotificationRate = 0.5
        try await RunningGateway.with(configuration) { gateway in
            let port = try Self.freePort()
            let token = Self.endpointToken()
            let pipeline = try IntegrationEnvironment.pipelineFile("notify", extra: """

                billing:
                  terminal: \(gateway.terminal)
                  rate_per_second: 0
                  start: manual
                  notification_url: http://127.0.0.1:\(port)/webhooks/genesis/\(token)

                """)
            let path = NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8)).csv"
            try """
                external_id,first_name,last_name,iban,amount,currency
                E1,Ada,Lovelace,\(blacklisted),20.00,EUR
                E2,Alan,Turing,\(kept),21.00,EUR
                E3,Grace,Hopper,\(BillingTests.dutchIBAN()),22.60,EUR
                E4,Edsger,Dijkstra,\(BillingTests.dutchIBAN()),23.61,EUR
                E5,Barbara,Liskov,\(BillingTests.dutchIBAN()),24.00,EUR

                """.write(toFile: path, atomically: true, encoding: .utf8)
            var cli = self.cli
            cli.environment.merge(["SLUICE_GENESIS_URL": gateway.baseURL, "SLUICE_GENESIS_LOGIN": gateway.login, "SLUICE_GENESIS_PASSWORD": gateway.password]) { _, new in new }
            let loaded = try await cli.run(["run", pipeline.path, "--input", path, "--json", "--no-progress"])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            let run = try #require(try await environment.strings("SELECT id::text FROM sluice.runs WHERE object_uri LIKE '%\((path as NSString).lastPathComponent)' ORDER BY started_at DESC LIMIT 1").first)
            let billed = try await cli.run(["billing", "start", run, "--pipeline", pipeline.path, "--json"])
            #expect(billed.status == 0, "\(billed.stderr)")
            // Nobody listens yet: sends fail and are retried.
            #expect(try await waitUntil(10) { gateway.simulator.stats().notificationsSent >= 3 })
            #expect(gateway.simulator.stats().notificationsAcknowledged == 0)

            let server = try await startServer(
                environment: webhookEnvironment([(token, gateway.terminal)], passwords: [gateway.terminal: gateway.password]), port: port)
            let settled = try await waitUntil(60) {
                let stats = gateway.simulator.stats()
                let open = try await environment.scalar("""
                    SELECT count(*) FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status IN ('planned', 'sending', 'pending')
                    """)
                let charged = try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status = 'chargebacked'")
                let unprocessed = try await environment.scalar("""
                    SELECT count(*) FROM sluice.notifications WHERE signature_ok AND processed_at IS NULL AND transaction_id LIKE 'sl-%'
                    """)
                return stats.pendingEvents == 0 && open == 0 && charged == 2 && unprocessed == 0
            }
            #expect(settled, "\(gateway.simulator.stats())")
            let stats = gateway.simulator.stats()
            #expect(stats.notificationsFailed == 0 && stats.notificationsSent > stats.notificationsAcknowledged, "\(stats)")
            #expect(try await environment.strings("""
                SELECT external_id || ':' || a.status || ':' || coalesce(a.reason_code, '') FROM sluice.billing_attempts a
                JOIN \(pipeline.table) t ON t.run_id = a.run_id AND t.source_line = a.source_line WHERE a.run_id = '\(run)' ORDER BY external_id
                """) == ["E1:chargebacked:AC04", "E2:chargebacked:AM04", "E3:approved:", "E4:declined:AM04", "E5:approved:"])

            // Every acknowledged send is one stored notification or a duplicate counted on it.
            let unique = try await environment.scalar("""
                SELECT count(*) FROM sluice.notifications n JOIN sluice.billing_attempts a ON a.unique_id = n.unique_id WHERE a.run_id = '\(run)'
                """)
            let repeats = try await environment.scalar("""
                SELECT coalesce(sum(duplicates), 0) FROM sluice.notifications n JOIN sluice.billing_attempts a ON a.unique_id = n.unique_id
                WHERE a.run_id = '\(run)'
                """)
            #expect(unique + repeats == Int64(stats.notificationsAcknowledged), "\(unique) + \(repeats) vs \(stats)")
            #expect(try await environment.scalar("""
                SELECT count(*) FROM sluice.notifications n JOIN sluice.billing_attempts a ON a.unique_id = n.unique_id
                WHERE a.run_id = '\(run)' AND (n.processed_at IS NULL OR n.replays > 0)
                """) == 0)

            // Both chargebacks deactivate; only AC04 blacklists.
            #expect(try await environment.strings("""
                SELECT c.reason_code || ':' || c.blacklisted || ':' || c.source || ':' || p.active FROM sluice.chargebacks c
                JOIN sluice.billing_attempts a ON a.id = c.attempt_id JOIN sluice.debtor_profiles p ON p.iban_hash = a.iban_hash
                WHERE a.run_id = '\(run)' ORDER BY c.reason_code
                """) == ["AC04:true:notification:false", "AM04:false:notification:false"])
            #expect(try await environment.strings("""
                SELECT b.source FROM sluice.blacklist b JOIN sluice.billing_attempts a ON b.value_key = encode(a.iban_hash, 'hex')
                WHERE a.run_id = '\(run)' AND b.kind = 'iban'
                """) == ["chargeback"])
            #expect(server.stop().status == 0)

            // The next run's screening holds the blacklisted IBAN back by the blacklist, and the
            // other by its chargeback history only.
            let screening = try IntegrationEnvironment.pipelineFile("notifyscreen")
            let screenedYAML = try String(contentsOfFile: screening.path, encoding: .utf8)
                .replacingOccurrences(of: IntegrationEnvironment.withoutScreening, with: "\nscreening: {enabled: true, checks: [iban_blacklist, chargeback]}\n")
            try screenedYAML.write(toFile: screening.path, atomically: true, encoding: .utf8)
            let next = NSTemporaryDirectory() + "notify-next-\(UUID().uuidString.prefix(8)).csv"
            try "external_id,first_name,last_name,iban,amount,currency\nN1,Ada,Lovelace,\(blacklisted),20.00,EUR\nN2,Alan,Turing,\(kept),21.00,EUR\n"
                .write(toFile: next, atomically: true, encoding: .utf8)
            let screened = try await cli.run(["run", screening.path, "--input", next, "--json", "--no-progress"])
            #expect(screened.status == 0, "\(screened.stderr)")
            let nextRun = try #require(try await environment.strings("SELECT id::text FROM sluice.runs WHERE object_uri LIKE '%\((next as NSString).lastPathComponent)' LIMIT 1").first)
            #expect(try await environment.strings("SELECT line || ':' || code FROM sluice.rejections WHERE run_id = '\(nextRun)' ORDER BY line")
                == ["2:blacklist.iban", "3:history.chargeback"])
        }
    }

    // MARK: Reconciliation over the API

    @Test func operatorsReconcileAnAttemptQueueASyncAndReadTheHistoryOverTheAPI() async throws {
        let chargedBack = BillingTests.dutchIBAN()
        let configuration = GatewaySimulatorConfiguration(
            terminals: [IntegrationEnvironment.uniqueName("apirecon")], chargebackIBANs: [chargedBack: "AC04"], chargebackDelayMs: 200,
            notificationDelayMs: 200)
        try await RunningGateway.with(configuration) { gateway in
            let pipeline = try IntegrationEnvironment.pipelineFile(
                "apirecon", extra: "\nbilling:\n  terminal: \(gateway.terminal)\n  rate_per_second: 0\n  start: manual\n")
            let path = NSTemporaryDirectory() + "apirecon-\(UUID().uuidString.prefix(8)).csv"
            try "external_id,first_name,last_name,iban,amount,currency\nR1,Ada,Lovelace,\(BillingTests.dutchIBAN()),30.60,EUR\nR2,Alan,Turing,\(chargedBack),31.00,EUR\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            var cli = self.cli
            let gatewayVariables = ["SLUICE_GENESIS_URL": gateway.baseURL, "SLUICE_GENESIS_LOGIN": gateway.login, "SLUICE_GENESIS_PASSWORD": gateway.password]
            cli.environment.merge(gatewayVariables) { _, new in new }
            #expect(try await cli.run(["run", pipeline.path, "--input", path, "--json", "--no-progress"]).status == 0)
            let run = try #require(try await environment.strings(
                "SELECT id::text FROM sluice.runs WHERE object_uri LIKE '%\((path as NSString).lastPathComponent)' LIMIT 1").first)
            let billed = try await cli.run(["billing", "start", run, "--pipeline", pipeline.path])
            #expect(billed.status == 0, "\(billed.stderr)")
            let pending = try #require(try await environment.integers(
                "SELECT id FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status = 'pending'").first)
            let server = try await startServer(environment: gatewayVariables)
            // No notification URL: only a reconcile tells Sluice the gateway settled the charge.
            #expect(try await waitUntil(10) { gateway.simulator.ledger().allSatisfy { $0.status != .pendingAsync } })
            let (reconciled, _) = try await post(server.base + "/v1/attempts/\(pending)/reconcile", json: "")
            #expect(reconciled.status == 200, "\(reconciled.json)")
            #expect(reconciled.json["previous_status"] as? String == "pending" && reconciled.json["status"] as? String == "approved")
            #expect(reconciled.json["outcome"] as? String == "applied" && reconciled.json["reconcile_tries"] as? Int == 1)
            let history = try await get(server.base + "/v1/attempts/\(pending)/events")
            let sources = (history.json["items"] as? [[String: Any]] ?? []).map { "\($0["source"] ?? "")>\($0["to_status"] ?? "")" }
            #expect(sources == ["sale>pending", "reconcile>approved"], "\(history.json)")
            #expect(try await post(server.base + "/v1/attempts/999999999/reconcile", json: "").0.status == 404)
            #expect(try await get(server.base + "/v1/attempts/999999999/events").status == 404)

            // The chargeback sync, queued now for this terminal, records the chargeback.
            #expect(try await waitUntil(10) { gateway.simulator.stats().chargebacks == 1 })
            let (queued, location) = try await post(
                server.base + "/v1/reconciliations", json: #"{"kind": "chargebacks", "terminal": "\#(gateway.terminal)"}"#)
            #expect(queued.status == 202 && location?.hasPrefix("/v1/jobs/") == true, "\(queued.json)")
            #expect(try await finalState(server, job: try #require(queued.json["job_id"] as? Int)) == "completed")
            let listed = try await get(server.base + "/v1/chargebacks?code=AC04&limit=500")
            let mine = (listed.json["items"] as? [[String: Any]] ?? []).filter { ($0["attempt_id"] as? Int).map(Int64.init) != nil }
            let charged = try #require(try await environment.integers(
                "SELECT id FROM sluice.billing_attempts WHERE run_id = '\(run)' AND status = 'chargebacked'").first)
            #expect(mine.contains { ($0["attempt_id"] as? Int).map(Int64.init) == charged && $0["blacklisted"] as? Bool == true
                && ($0["iban_masked"] as? String)?.contains("*") == true }, "\(listed.json)")
            #expect(try await post(server.base + "/v1/reconciliations", json: #"{"kind": "everything"}"#).0.status == 400)
            #expect(try await post(server.base + "/v1/reconciliations", json: #"{"kind": "by_date", "start_date": "2026-12-02", "end_date": "2026-12-01"}"#).0.status == 400)
            #expect(server.stop().status == 0)
        }
    }

    // MARK: Crash between the durable write and processing

    @Test func aNodeKilledAfterTheDurableWriteLeavesTheProcessingToAnother() async throws {
        let token = Self.endpointToken()
        let variables = webhookEnvironment([(token, "term-a")], passwords: ["term-a": "pa"])
        // An API-only node: it stores and answers, and never processes.
        let receiver = try await startServer(environment: variables, arguments: ["--workers", "0"])
        let run = UUID().uuidString.prefix(8)
        let uniqueIDs = (0..<40).map { "kill-\(run)-\($0)" }
        for uniqueID in uniqueIDs { try await attempt(uniqueID: uniqueID) }
        for uniqueID in uniqueIDs {
            #expect(try await deliver(receiver.base + "/webhooks/genesis/\(token)", body: Self.body(uniqueID: uniqueID, password: "pa")).status == 200)
        }
        receiver.running.kill(SIGKILL)
        #expect(receiver.running.wait().killed)
        let list = uniqueIDs.map { "'\($0)'" }.joined(separator: ",")
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.notifications WHERE unique_id IN (\(list)) AND processed_at IS NULL") == 40)
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE unique_id IN (\(list)) AND status = 'pending'") == 40)

        let worker = try await startServer(environment: variables)
        #expect(try await waitUntil(60) { try await processed(uniqueIDs) })
        #expect(try await environment.scalar("SELECT count(*) FROM sluice.billing_attempts WHERE unique_id IN (\(list)) AND status = 'approved'") == 40)
        #expect(try await environment.scalar("""
            SELECT count(*) FROM sluice.attempt_events e JOIN sluice.billing_attempts a ON a.id = e.attempt_id
            WHERE a.unique_id IN (\(list)) AND e.source = 'notification' AND e.applied
            """) == 40, "each applied once")
        #expect(worker.stop().status == 0)
    }

    /// A port nothing listens on now.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw CancellationError() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
