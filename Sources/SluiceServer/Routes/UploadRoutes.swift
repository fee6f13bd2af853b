import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceJobs
import SluicePipeline
import SluiceS3

/// Where `POST /v1/uploads` puts files, and how large they may be.
public struct UploadSettings: Sendable {
    public var client: S3Client
    public var bucket: String
    /// Keys start with this, then the pipeline's name, the day and a unique name.
    public var prefix: String
    public var maxBytes: Int64
    /// Bodies longer than one part go up as a multipart upload.
    public var partSize: Int

    public init(client: S3Client, bucket: String, prefix: String = "uploads/", maxBytes: Int64 = 5 << 30, partSize: Int = 8 << 20) {
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.maxBytes = maxBytes
        self.partSize = partSize
    }
}

extension ServerRoutes {
    /// The media types an upload may have: the file formats runs read.
    static let uploadTypes: [String: String] = [
        "text/csv": "csv", "text/plain": "csv", "application/csv": "csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
        "application/gzip": "csv.gz", "application/x-gzip": "csv.gz", "application/octet-stream": "bin",
    ]

    func addUploadRoutes(operators: RouterGroup<SluiceRequestContext>) {
        operators.post("/v1/uploads") { request, context in try await self.upload(request, context: context) }
    }

    struct UploadAnswer: ResponseEncodable {
        var object: String
        var etag: String
        var size: Int64
        var parts: Int
        var pipeline: String
        var runID: String
        var jobID: Int64

        enum CodingKeys: String, CodingKey {
            case object, etag, size, parts, pipeline, runID = "run_id", jobID = "job_id"
        }
    }

    /// `POST /v1/uploads?pipeline=NAME&filename=NAME`: the raw body (not a form) streams to the
    /// bucket, one part in memory at a time, and a run of the pipeline is queued for it. The
    /// answer names the object, the run the job will create and the job.
    func upload(_ request: Request, context: SluiceRequestContext) async throws -> Response {
        guard let catalog, let queue else { throw ProblemDetails.notReady("this server runs no job queue") }
        guard let uploads else { throw ProblemDetails.notReady("uploads need an S3 bucket (SLUICE_S3_ENDPOINT)") }
        let query = request.uri.queryParameters
        guard let pipeline = query["pipeline"].map(String.init), !pipeline.isEmpty else {
            throw ProblemDetails.invalidRequest("name the pipeline: POST /v1/uploads?pipeline=NAME")
        }
        guard catalog.pipelines[pipeline] != nil else { throw ProblemDetails.unknownPipeline(pipeline, catalog: catalog) }
        let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard let fileExtension = Self.uploadTypes[mediaType] else {
            throw ProblemDetails(status: .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                                 detail: "send the file itself as the body, as one of \(Self.uploadTypes.keys.sorted().joined(separator: ", ")); found '\(mediaType)'")
        }
        let tooLarge = ProblemDetails(status: .contentTooLarge, code: "too_large", title: "Content too large",
                                      detail: "an upload is at most \(uploads.maxBytes) bytes")
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > uploads.maxBytes { throw tooLarge }
        let filename = try Self.uploadFilename(query["filename"].map(String.init), fileExtension: fileExtension)
        let runID = UUID()
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let key = "\(uploads.prefix)\(pipeline)/\(day)/\(runID.uuidString.lowercased().prefix(8))-\(filename)"
        let stored: S3StreamingUpload.Result
        do {
            stored = try await S3StreamingUpload(
                client: uploads.client, bucket: uploads.bucket, key: key, contentType: mediaType, partSize: uploads.partSize,
                maxBytes: uploads.maxBytes
            ).upload(request.body)
        } catch is S3StreamingUpload.TooLarge {
            throw tooLarge
        }
        let drop = DroppedObject(pipeline: pipeline, bucket: uploads.bucket, key: key, etag: stored.etag, size: stored.size)
        let job = try await DropIntake(database: database, queue: queue, logger: logger).take(drop, arrival: .api, runID: runID)
        logger.info("upload stored; run queued", metadata: ["object": "\(drop.uri)", "size": "\(stored.size)", "job": "\(job.id)"])
        try await audit("upload", subject: drop.uri, detail: [
            "pipeline": pipeline, "size": "\(stored.size)", "run_id": runID.uuidString.lowercased(), "job_id": "\(job.id)",
        ], context: context)
        let answer = UploadAnswer(
            object: drop.uri, etag: stored.etag, size: stored.size, parts: stored.parts, pipeline: pipeline, runID: runID.uuidString.lowercased(),
            jobID: job.id)
        var response = try answer.response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/v1/runs/\(answer.runID)"
        return response
    }

    /// The last part of the object's key: the client's file name (letters, digits, `.-_`; a
    /// path is cut to its last part), or `upload.<ext>`.
    static func uploadFilename(_ given: String?, fileExtension: String) throws -> String {
        guard let given, !given.isEmpty else { return "upload.\(fileExtension)" }
        let base = given.split(separator: "/").last.map(String.init) ?? ""
        let cleaned = String(base.unicodeScalars.map { scalar in
            CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        })
        guard !cleaned.isEmpty, cleaned.utf8.count <= 200, !cleaned.allSatisfy({ $0 == "." }) else {
            throw ProblemDetails.invalidRequest("filename must be a file name of at most 200 bytes")
        }
        return cleaned
    }
}
