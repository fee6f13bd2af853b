import SluiceCore
import Testing

@testable import SluiceS3

struct S3ConfigurationTests {
    @Test func readsTheEnvironment() throws {
        let configuration = try S3Configuration.fromEnvironment([
            "SLUICE_S3_ENDPOINT": "http://127.0.0.1:58333",
            "SLUICE_S3_REGION": "eu-central-1",
            "SLUICE_S3_ACCESS_KEY": "access",
            "SLUICE_S3_SECRET_KEY": "secret",
        ])
        #expect(configuration.endpoint == "http://127.0.0.1:58333")
        #expect(configuration.region == "eu-central-1")
        #expect(configuration.accessKey == "access")
        #expect(configuration.secretKey == "secret")
        #expect(configuration.maxAttempts == 5)
    }

    @Test func regionDefaultsToUSEast1() throws {
        let configuration = try S3Configuration.fromEnvironment([
            "SLUICE_S3_ENDPOINT": "http://h:1", "SLUICE_S3_ACCESS_KEY": "a", "SLUICE_S3_SECRET_KEY": "s",
        ])
        #expect(configuration.region == "us-east-1")
    }

    @Test func namesEveryMissingVariable() {
        let error = #expect(throws: SluiceError.self) {
            try S3Configuration.fromEnvironment(["SLUICE_S3_ENDPOINT": "http://h:1", "SLUICE_S3_SECRET_KEY": " "])
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason.contains("SLUICE_S3_ACCESS_KEY") == true)
        #expect(error?.reason.contains("SLUICE_S3_SECRET_KEY") == true)
        #expect(error?.reason.contains("SLUICE_S3_ENDPOINT") == false)
    }

    @Test func neverPrintsTheSecretKey() {
        let configuration = S3Configuration(endpoint: "http://h:1", accessKey: "AKIA", secretKey: "very-secret-value")
        #expect(!"\(configuration)".contains("very-secret-value"))
        #expect(!String(reflecting: configuration).contains("very-secret-value"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("very-secret-value"))
    }
}

/// Timeouts and retries from the environment (issue 9, defect 5).
struct S3ConfigurationTimeoutTests {
    static let base = ["SLUICE_S3_ENDPOINT": "http://h:1", "SLUICE_S3_ACCESS_KEY": "a", "SLUICE_S3_SECRET_KEY": "s"]

    @Test func defaultsWhenNothingIsSet() throws {
        let configuration = try S3Configuration.fromEnvironment(Self.base)
        #expect(configuration.connectTimeout == .seconds(5))
        #expect(configuration.readTimeout == .seconds(30))
        #expect(configuration.maxAttempts == 5)
        #expect(configuration.maxRetryTime == .seconds(120))
        #expect(configuration.retryBackoff == .milliseconds(200))
    }

    @Test func readsEveryTimeoutAndRetrySetting() throws {
        let configuration = try S3Configuration.fromEnvironment(Self.base.merging([
            "SLUICE_S3_CONNECT_TIMEOUT": "2.5",
            "SLUICE_S3_READ_TIMEOUT": "30s",
            "SLUICE_S3_MAX_ATTEMPTS": "8",
            "SLUICE_S3_MAX_RETRY_TIME": "2m",
            "SLUICE_S3_RETRY_BACKOFF": "500ms",
        ]) { $1 })
        #expect(configuration.connectTimeout == .milliseconds(2500))
        #expect(configuration.readTimeout == .seconds(30))
        #expect(configuration.maxAttempts == 8)
        #expect(configuration.maxRetryTime == .seconds(120))
        #expect(configuration.retryBackoff == .milliseconds(500))
        #expect(configuration.retryPolicy == S3RetryPolicy(maxAttempts: 8, maxRetryTime: .seconds(120), backoff: .milliseconds(500)))
    }

    @Test(arguments: [
        ("SLUICE_S3_CONNECT_TIMEOUT", "soon"), ("SLUICE_S3_CONNECT_TIMEOUT", "0"), ("SLUICE_S3_READ_TIMEOUT", "-1"),
        ("SLUICE_S3_MAX_RETRY_TIME", "5h"), ("SLUICE_S3_RETRY_BACKOFF", "1e3"), ("SLUICE_S3_MAX_ATTEMPTS", "0"),
        ("SLUICE_S3_MAX_ATTEMPTS", "2.5"),
    ])
    func aBadValueIsAnErrorNamingTheVariable(name: String, value: String) {
        let error = #expect(throws: SluiceError.self) {
            try S3Configuration.fromEnvironment(Self.base.merging([name: value]) { $1 })
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason.contains(name) == true)
        #expect(error?.reason.contains("'\(value)'") == true)
    }

    @Test(arguments: [("5", 5_000), ("0.25", 250), ("250ms", 250), ("3s", 3_000), ("1m", 60_000), (" 2 s ", 2_000)])
    func durationsAreSecondsOrCarryAUnit(text: String, milliseconds: Int64) {
        #expect(S3Configuration.parseDuration(text) == .milliseconds(milliseconds))
    }
}
