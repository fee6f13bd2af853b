import Foundation
import Testing

@testable import SluiceS3

/// Which failures are retried and which fail at once (issue 9, defect 5).
struct S3FailureTests {
    @Test(arguments: [
        (ECONNREFUSED, "connection refused"),
        (EHOSTUNREACH, "host unreachable"),
        (ENETUNREACH, "network unreachable"),
    ])
    func connectErrorsThatNoRetryFixesFailAtOnce(errno: Int32, reason: String) {
        let failure = S3Failure.classify(errno: errno)
        #expect(!failure.isRetryable)
        #expect(failure.isUnreachable)
        #expect(failure.reason == reason)
    }

    @Test(arguments: [ECONNRESET, EPIPE, ECONNABORTED, ETIMEDOUT])
    func droppedConnectionsAndTimeoutsAreRetried(errno: Int32) {
        let failure = S3Failure.classify(errno: errno)
        #expect(failure.isRetryable)
        #expect(!failure.isUnreachable)
    }

    @Test(arguments: [
        (500, "InternalError"), (502, nil), (503, "SlowDown"), (503, nil), (504, nil), (429, nil), (408, nil),
        (400, "RequestTimeout"),
    ] as [(Int, String?)])
    func serverTroubleIsRetried(status: Int, code: String?) throws {
        let failure = try #require(S3Failure.classify(status: status, code: code))
        #expect(failure.isRetryable)
        #expect(failure.reason.contains("HTTP \(status)"))
    }

    @Test(arguments: [
        (400, nil), (403, "AccessDenied"), (403, "SignatureDoesNotMatch"), (404, "NoSuchKey"), (412, "PreconditionFailed"),
        (416, nil), (501, "NotImplemented"),
    ] as [(Int, String?)])
    func clientErrorsAreNotRetried(status: Int, code: String?) throws {
        let failure = try #require(S3Failure.classify(status: status, code: code))
        #expect(!failure.isRetryable)
    }

    @Test func aSuccessIsNoFailure() {
        #expect(S3Failure.classify(status: 200) == nil)
        #expect(S3Failure.classify(status: 206) == nil)
    }

    @Test func theSlowDownCodeIsNamed() {
        #expect(S3Failure.classify(status: 503, code: "SlowDown")?.reason == "HTTP 503 (SlowDown)")
    }

    /// NIOPosix's `NIOConnectionError` is read through reflection (SluiceS3 does not import
    /// NIOPosix): a stand-in with the same shape and type name.
    struct SingleConnectionFailure { var target: String; var error: any Error }
    struct StandInNIOConnectionError: Error {
        var host: String
        var port: Int
        var dnsAError: (any Error)?
        var dnsAAAAError: (any Error)?
        var connectionErrors: [SingleConnectionFailure]
    }
    struct LookupFailed: Error {}
    struct Unknown: Error {}

    @Test func aFailedDNSLookupFailsAtOnceNamingTheHost() {
        let error = StandInNIOConnectionError(host: "s3.nowhere.invalid", port: 443, dnsAError: LookupFailed(), dnsAAAAError: nil, connectionErrors: [])
        let failure = S3Failure.classify(error)
        #expect(!failure.isRetryable)
        #expect(failure.isUnreachable)
        #expect(failure.reason == "host not found: s3.nowhere.invalid (DNS lookup failed)")
    }

    @Test func connectErrorsAreRetriedWhenAnyAddressTriedIsWorthRetrying() {
        let cancelled = StandInNIOConnectionError(host: "h", port: 1, connectionErrors: [.init(target: "[::1]:1", error: CancellationError())])
        #expect(!S3Failure.classify(cancelled).isRetryable)
        let mixed = StandInNIOConnectionError(
            host: "h", port: 1,
            connectionErrors: [.init(target: "[::1]:1", error: CancellationError()), .init(target: "127.0.0.1:1", error: Unknown())]
        )
        #expect(S3Failure.classify(mixed).isRetryable)
    }

    @Test func anErrorNothingRecognisesIsRetried() {
        #expect(S3Failure.classify(Unknown()).isRetryable)
    }

    @Test func cancellationIsNeverRetried() {
        #expect(!S3Failure.classify(CancellationError()).isRetryable)
    }
}
