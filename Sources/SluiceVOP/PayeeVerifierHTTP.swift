import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SluiceCore
import SluiceStages

/// The HTTP part both clients share: one POST per attempt, failures mapped to
/// `ProviderFailure`, and the retry loop of `ProviderRetryPolicy`.
public struct PayeeVerifierHTTP: Sendable {
    /// The process-wide client for payee verification, never shut down (like `HTTPClient.shared`).
    ///
    /// Its pool keeps up to 256 connections per provider host, so the stage's `max_in_flight`
    /// (at most 256, default 32) is what bounds the calls (HTTP/1.1 carries one call per
    /// connection at a time; a pool limit below it would queue calls silently), and a failed connection attempt fails the call at once instead of
    /// being retried until the deadline, so `ProviderRetryPolicy` decides what happens next.
    public static let sharedClient: HTTPClient = {
        var settings = HTTPClient.Configuration.singletonConfiguration
        settings.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5), read: .seconds(10))
        settings.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        settings.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }()

    /// Answers larger than this are not payee-verification answers.
    static let maxAnswerBytes = 256 * 1024

    let provider: VOPProvider
    let url: String
    let timeout: Duration
    let retryPolicy: ProviderRetryPolicy
    let httpClient: HTTPClient
    let logger: Logger

    init(configuration: VOPProviderConfiguration, httpClient: HTTPClient, logger: Logger) {
        provider = configuration.provider
        url = configuration.url
        timeout = configuration.timeout
        retryPolicy = configuration.retryPolicy
        self.httpClient = httpClient
        self.logger = logger
    }

    /// What one attempt returned: a parsed answer, or how it failed.
    enum AttemptResult<Answer> {
        case answer(Answer)
        case failure(ProviderFailure, underlying: (any Error)?)
    }

    /// POSTs `body` until an attempt answers 2xx, or the retry policy gives up.
    ///
    /// - Parameters:
    ///   - headers: called once per attempt, so each attempt gets its own request id and timestamp.
    ///   - parse: reads a 2xx body; a throw is `ProviderFailure.invalidAnswer`, not retried.
    func send<Answer>(
        iban: String,
        body: ByteBuffer,
        headers: () -> HTTPHeaders,
        parse: (ByteBuffer) throws -> Answer
    ) async throws -> (answer: Answer, latency: Duration, attempts: Int) {
        let clock = ContinuousClock()
        let masked = IBANMask.mask(iban)
        var logger = logger
        logger[metadataKey: "vop.provider"] = "\(provider.rawValue)"
        logger[metadataKey: "iban"] = "\(masked)"
        var attempt = 1
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers()
            request.body = .bytes(body)
            let started = clock.now
            let failure: ProviderFailure
            var underlying: (any Error)?
            do {
                let response = try await callOnce(request, logger: logger)
                let bytes = response.body
                let latency = started.duration(to: clock.now)
                if (200..<300).contains(response.status.code) {
                    do {
                        return (try parse(bytes), latency, attempt)
                    } catch {
                        logger.warning("payee verification answer unreadable", metadata: ["status": "\(response.status.code)", "error": "\(error)"])
                        throw PayeeVerifierError(.invalidAnswer, provider: provider, failure: .invalidAnswer, attempts: attempt, maskedIBAN: masked, underlying: error)
                    }
                }
                let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: Date()) }
                failure = .status(Int(response.status.code), retryAfter: retryAfter)
            } catch let error as PayeeVerifierError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = Self.failure(for: error)
                underlying = error
            }
            switch retryPolicy.decision(after: failure, attempt: attempt) {
            case .retry(let delay):
                logger.debug("payee verification attempt failed, retrying", metadata: [
                    "attempt": "\(attempt)", "failure": "\(failure)", "delay": "\(delay)",
                ])
                try await Task.sleep(for: delay)
                attempt += 1
            case .giveUp(let reason):
                let code: PayeeVerifierError.Code = reason == .attemptsExhausted ? .attemptsExhausted : .rejected
                let error = PayeeVerifierError(code, provider: provider, failure: failure, attempts: attempt, maskedIBAN: masked, underlying: underlying)
                logger.warning("payee verification failed", metadata: ["attempts": "\(attempt)", "failure": "\(failure)", "code": "\(code)"])
                throw error
            }
        }
    }

    /// An answer read whole.
    struct RawAnswer: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// One call, head and body, within `timeout`. AsyncHTTPClient's deadline ends when the
    /// head arrives, so a body that trickles in is cut off here instead.
    private func callOnce(_ request: HTTPClientRequest, logger: Logger) async throws -> RawAnswer {
        let httpClient = httpClient
        let timeout = timeout
        return try await withThrowingTaskGroup(of: RawAnswer.self) { group in
            group.addTask {
                let response = try await httpClient.execute(request, timeout: Self.timeAmount(timeout), logger: logger)
                let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
                return RawAnswer(status: response.status, headers: response.headers, body: body)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HTTPClientError.deadlineExceeded
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// Timeouts (connect, read, write, the call's deadline) are `.timeout`; anything else that
    /// kept an answer from arriving is `.connection`.
    static func failure(for error: any Error) -> ProviderFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout: return .timeout
            default: return .connection
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return .timeout }
        return .connection
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// `Content-Type`, `Accept`, `User-Agent`: the headers every request carries.
    static func baseHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "sluice")
        return headers
    }
}
