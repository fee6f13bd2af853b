import Testing

@testable import SluiceGenesis

struct GenesisConfigurationTests {
    static let shared = [
        "SLUICE_GENESIS_URL": "https://staging.gate.emerchantpay.net",
        "SLUICE_GENESIS_LOGIN": "shared-login",
        "SLUICE_GENESIS_PASSWORD": "shared-password",
    ]

    @Test func readsTheSharedVariables() throws {
        let configuration = try GenesisConfiguration.fromEnvironment(terminal: "abc123", environment: Self.shared)
        #expect(configuration.baseURL == "https://staging.gate.emerchantpay.net")
        #expect(configuration.terminalToken == "abc123")
        #expect(configuration.login == "shared-login")
        #expect(configuration.password == "shared-password")
        #expect(configuration.timeout == .seconds(30))
        #expect(configuration.readRetries == 3)
        #expect(configuration.maxResponseBytes == 1 << 20)
    }

    @Test func perTerminalVariablesOverride() throws {
        var environment = Self.shared
        environment["SLUICE_GENESIS_LOGIN_TERM_42_X"] = "own-login"
        environment["SLUICE_GENESIS_PASSWORD_TERM_42_X"] = "own-password"
        let own = try GenesisConfiguration.fromEnvironment(terminal: "term-42.x", environment: environment)
        #expect(own.login == "own-login")
        #expect(own.password == "own-password")
        let other = try GenesisConfiguration.fromEnvironment(terminal: "other", environment: environment)
        #expect(other.login == "shared-login")
        #expect(GenesisConfiguration.environmentSuffix("ab-Cd.9ü") == "AB_CD_9_")
    }

    @Test(arguments: ["SLUICE_GENESIS_URL", "SLUICE_GENESIS_LOGIN", "SLUICE_GENESIS_PASSWORD"])
    func aMissingVariableIsNamed(_ variable: String) {
        var environment = Self.shared
        environment[variable] = nil
        let error = #expect(throws: GenesisConfigurationError.self) {
            try GenesisConfiguration.fromEnvironment(terminal: "t", environment: environment)
        }
        #expect(error?.variable == variable)
        #expect(error?.description.contains(variable) == true)
    }

    @Test func descriptionHidesThePassword() throws {
        let configuration = GenesisConfiguration(terminalToken: "t", login: "l", password: "hunter2-secret")
        #expect(!configuration.description.contains("hunter2"))
        #expect(!String(reflecting: configuration).contains("hunter2"))
        #expect(!"\(configuration)".contains("hunter2"))
        #expect(configuration.description.contains("login: l"))
    }

    @Test func endpointsFollowGenesisPaths() {
        #expect(GenesisEndpoint.process.url(baseURL: "http://127.0.0.1:9/", terminal: "tok") == "http://127.0.0.1:9/process/tok/")
        #expect(GenesisEndpoint.reconcile.url(baseURL: "https://g", terminal: "tok") == "https://g/reconcile/tok/")
        #expect(GenesisEndpoint.reconcileByDate.url(baseURL: "https://g", terminal: "tok") == "https://g/reconcile/by_date/tok/")
        #expect(GenesisEndpoint.chargebacksByDate.url(baseURL: "https://g", terminal: "tok") == "https://g/chargebacks/by_date")
        #expect(GenesisEndpoint.process.url(baseURL: "https://g", terminal: "a/b c") == "https://g/process/a%2Fb%20c/")
    }

    @Test func backoffDoublesWithJitter() {
        for attempt in 0..<4 {
            let delay = GenesisClient.backoff(attempt: attempt, base: .milliseconds(200))
            let full = Duration.milliseconds(200) * (1 << attempt)
            #expect(delay <= full && delay >= full / 2)
        }
    }
}
