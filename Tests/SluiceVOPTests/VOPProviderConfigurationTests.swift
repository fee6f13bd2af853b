import SluiceVOP
import Testing

@Suite struct VOPProviderConfigurationTests {
    @Test func readsTheEnvironment() throws {
        let configuration = try #require(try VOPProviderConfiguration.fromEnvironment([
            "SLUICE_VOP_PROVIDER": "bav", "SLUICE_VOP_URL": "https://bav.example/v1/verify",
            "SLUICE_VOP_API_KEY": "k", "SLUICE_VOP_TIMEOUT": "1.5", "SLUICE_VOP_MAX_ATTEMPTS": "2",
        ]))
        #expect(configuration.provider == .bav)
        #expect(configuration.apiKey == "k")
        #expect(configuration.timeout == .milliseconds(1_500))
        #expect(configuration.retryPolicy.maxAttempts == 2)
        #expect(!configuration.description.contains("k "))
        #expect(configuration.makeVerifier() is BAVClient)
    }

    @Test func defaultsToEPCWithFiveSeconds() throws {
        let configuration = try #require(try VOPProviderConfiguration.fromEnvironment(["SLUICE_VOP_URL": "http://127.0.0.1:9/x"]))
        #expect(configuration.provider == .epc)
        #expect(configuration.timeout == .seconds(5))
        #expect(configuration.apiKey == nil)
        #expect(configuration.makeVerifier() is EPCVOPClient)
    }

    @Test func noURLMeansNoProvider() throws {
        #expect(try VOPProviderConfiguration.fromEnvironment(["SLUICE_VOP_API_KEY": "k"]) == nil)
    }

    @Test(arguments: [
        ["SLUICE_VOP_URL": "http://x/y", "SLUICE_VOP_TIMEOUT": "6"],
        ["SLUICE_VOP_URL": "http://x/y", "SLUICE_VOP_TIMEOUT": "0"],
        ["SLUICE_VOP_URL": "http://x/y", "SLUICE_VOP_PROVIDER": "swift"],
        ["SLUICE_VOP_URL": "ftp://x/y"],
    ])
    func rejectsBadSettings(environment: [String: String]) {
        #expect(throws: (any Error).self) { try VOPProviderConfiguration.fromEnvironment(environment) }
    }

    @Test func timeoutIsCappedAtFiveSeconds() {
        #expect(VOPProviderConfiguration(url: "http://x/y", timeout: .seconds(30)).timeout == .seconds(5))
    }
}
