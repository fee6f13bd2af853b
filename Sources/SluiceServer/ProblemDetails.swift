import Foundation
import Hummingbird
import SluiceCore
import SluicePipeline

/// An error answer as RFC 9457 problem details (`application/problem+json`): a `type` URI
/// per kind of problem, a human `title` and `detail`, the HTTP `status`, and Sluice's own
/// members where it knows them: `code` (the error code the CLI prints too), `pipeline`,
/// `stage`, `object`, `line`, `column`.
public struct ProblemDetails: Error, Sendable, Hashable, Codable, HTTPResponseError {
    public var type: String
    public var title: String
    public var statusCode: Int
    public var detail: String?
    public var instance: String?
    public var code: String?
    public var pipeline: String?
    public var stage: String?
    public var object: String?
    public var line: Int64?
    public var column: String?

    public init(status: HTTPResponse.Status, code: String, title: String, detail: String? = nil, instance: String? = nil) {
        self.type = Self.typeURI(code)
        self.title = title
        self.statusCode = status.code
        self.detail = detail
        self.instance = instance
        self.code = code
    }

    /// Where each code is explained: `docs/api.md#problem-<code>`.
    static func typeURI(_ code: String) -> String { "https://sluice.dev/problems/\(code)" }

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    enum CodingKeys: String, CodingKey {
        case type, title, statusCode = "status", detail, instance, code, pipeline, stage, object, line, column
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self
        problem.instance = problem.instance ?? request.uri.path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(problem)
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension ProblemDetails {
    /// The answer for a `SluiceError`: its code decides the status, its context fills the
    /// members. Internal details (underlying errors) stay in the log, not in the answer.
    public init(_ error: SluiceError) {
        let (status, title) = Self.statusAndTitle(for: error.code)
        self.init(status: status, code: error.code.description, title: title, detail: error.reason)
        pipeline = error.pipeline
        stage = error.stage?.rawValue
        object = error.object
        line = error.line
        column = error.column
    }

    static func statusAndTitle(for code: SluiceError.Code) -> (HTTPResponse.Status, String) {
        switch code {
        case .invalidArgument: (.badRequest, "Invalid request")
        case .invalidPipeline: (.unprocessableContent, "Invalid pipeline")
        case .runNotFound: (.notFound, "No such run")
        case .sourceNotFound: (.notFound, "No such object")
        case .sourceChanged, .alreadyLoaded, .runNotResumable, .runLocked, .leaseLost: (.conflict, "Conflict with the run's state")
        case .format: (.unprocessableContent, "Unreadable input")
        case .database: (.serviceUnavailable, "Database unavailable")
        case .s3, .sourceRead: (.badGateway, "Object store failed")
        case .gateway: (.badGateway, "Payment gateway failed")
        case .notBillable: (.conflict, "The run cannot be billed")
        case .notFound: (.notFound, "Not found")
        case .notReplayable: (.conflict, "Cannot be processed again")
        default: (.internalServerError, "Internal error")
        }
    }
}

extension ProblemDetails {
    /// 400 `invalid_argument`: the request itself is wrong.
    static func invalidRequest(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .badRequest, code: "invalid_argument", title: "Invalid request", detail: detail)
    }

    /// 503 `not_ready`: this server is not set up for what was asked.
    static func notReady(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .serviceUnavailable, code: "not_ready", title: "Not ready", detail: detail)
    }

    /// 422 `unknown_pipeline`, naming the pipelines there are.
    static func unknownPipeline(_ name: String, catalog: PipelineCatalog) -> ProblemDetails {
        let known = catalog.pipelines.keys.sorted().joined(separator: ", ")
        var problem = ProblemDetails(status: .unprocessableContent, code: "unknown_pipeline", title: "Unknown pipeline",
                                     detail: "no pipeline '\(name)' (there are: \(known.isEmpty ? "none" : known))")
        problem.pipeline = name
        return problem
    }
}
