import NIOCore
import SluiceCore
import Testing

@testable import SluiceServer

struct WebhookGuardTests {
    func address(_ text: String) throws -> SocketAddress { try SocketAddress(ipAddress: text, port: 4000) }

    @Test func anEmptyAllowListAllowsEveryone() throws {
        #expect(AddressAllowList.everyone.allows(try address("203.0.113.9")))
        #expect(try AddressAllowList(parsing: " ").allows(nil))
    }

    @Test func networksMatchByPrefix() throws {
        let list = try AddressAllowList(parsing: "203.0.113.0/24, 198.51.100.7, 2001:db8::/32")
        #expect(list.allows(try address("203.0.113.200")))
        #expect(!list.allows(try address("203.0.114.1")))
        #expect(list.allows(try address("198.51.100.7")))
        #expect(!list.allows(try address("198.51.100.8")))
        #expect(list.allows(try address("2001:db8:1::5")))
        #expect(!list.allows(try address("2001:db9::5")))
        // A dual-stack socket shows IPv4 clients as mapped IPv6 addresses.
        #expect(list.allows(try address("::ffff:203.0.113.1")))
        #expect(!list.allows(nil))
    }

    @Test func aBadEntryIsNamed() {
        #expect(throws: SluiceError.self) { try AddressAllowList(parsing: "10.0.0.0/8, example.com") }
        #expect(throws: SluiceError.self) { try AddressAllowList(parsing: "10.0.0.0/33") }
    }

    @Test func eachSourceHasItsOwnRate() {
        let limiter = SourceRateLimiter(ratePerSecond: 2)
        let now = ContinuousClock.now
        #expect(limiter.admit("a", now: now) && limiter.admit("a", now: now))
        #expect(!limiter.admit("a", now: now))
        #expect(limiter.admit("b", now: now))
        #expect(limiter.admit("a", now: now + .milliseconds(600)))
    }

    @Test func endpointsComeFromTheEnvironmentWithEachTerminalsPassword() throws {
        let settings = try #require(try WebhookSettings.fromEnvironment([
            "SLUICE_GENESIS_ENDPOINTS": "aaaaaaaaaaaaaaaaaaaa=term-a, bbbbbbbbbbbbbbbbbbbb=term-b",
            "SLUICE_GENESIS_PASSWORD": "shared", "SLUICE_GENESIS_PASSWORD_TERM_B": "own", "SLUICE_WEBHOOK_RATE": "50",
        ]))
        #expect(settings.endpoints["aaaaaaaaaaaaaaaaaaaa"]?.password == "shared")
        #expect(settings.endpoints["bbbbbbbbbbbbbbbbbbbb"]?.password == "own" && settings.endpoints["bbbbbbbbbbbbbbbbbbbb"]?.terminal == "term-b")
        #expect(settings.ratePerSecond == 50)
        #expect(try WebhookSettings.fromEnvironment([:]) == nil)
        #expect(throws: SluiceError.self) { try WebhookSettings.fromEnvironment(["SLUICE_GENESIS_ENDPOINTS": "short=term"]) }
        #expect(throws: SluiceError.self) { try WebhookSettings.fromEnvironment(["SLUICE_GENESIS_ENDPOINTS": "aaaaaaaaaaaaaaaaaaaa=term"]) }
    }
}
