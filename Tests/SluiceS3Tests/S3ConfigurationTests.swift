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
