import Foundation
import Hummingbird
import SluiceCore
import SluicePipeline

/// `GET /v1/pipelines` and `GET /v1/pipelines/{name}`: what the server's pipeline files say.
extension ServerRoutes {
    func addPipelineRoutes(viewer: RouterGroup<SluiceRequestContext>) {
        viewer.get("/v1/pipelines") { _, _ in try self.pipelines() }
        viewer.get("/v1/pipelines/:name") { _, context in try self.pipeline(named: context.parameters.require("name")) }
    }

    struct PipelineList: ResponseEncodable {
        var items: [PipelineResource]
    }

    func pipelines() throws -> PipelineList {
        guard let catalog else { throw ProblemDetails.notReady("this server has no pipelines folder") }
        return PipelineList(items: catalog.pipelines.values.sorted { $0.name < $1.name }.map { PipelineResource(spec: $0, detailed: false) })
    }

    func pipeline(named name: String) throws -> PipelineResource {
        guard let catalog else { throw ProblemDetails.notReady("this server has no pipelines folder") }
        guard let spec = catalog.pipelines[name] else {
            var problem = ProblemDetails(status: .notFound, code: "pipeline_not_found", title: "No such pipeline", detail: "no pipeline '\(name)'")
            problem.pipeline = name
            throw problem
        }
        return PipelineResource(spec: spec, detailed: true)
    }
}

/// A pipeline as the API shows it: its name, target, watch rules, and (in detail) its columns,
/// dedup key, screening and error budget. The file's path on the server stays out.
struct PipelineResource: Sendable, Encodable, ResponseEncodable {
    let spec: PipelineSpec
    let detailed: Bool

    enum CodingKeys: String, CodingKey {
        case name, target, format, batchSize = "batch_size", keepRaw = "keep_raw", watch, columns, dedupKey = "dedup_key"
        case screening, errorBudget = "error_budget"
    }

    struct Watch: Encodable {
        var bucket: String
        var prefix: String
        var glob: String?
    }

    struct Column: Encodable {
        var name: String
        var aliases: [String]
        var required: Bool
    }

    struct Budget: Encodable {
        var maxRejectedRatio: Double?
        var maxRejectedRows: Int?

        enum CodingKeys: String, CodingKey {
            case maxRejectedRatio = "max_rejected_ratio", maxRejectedRows = "max_rejected_rows"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(spec.name, forKey: .name)
        try container.encode(spec.target.description, forKey: .target)
        try container.encode(spec.source.format?.rawValue ?? "auto", forKey: .format)
        try container.encode(spec.batchSize, forKey: .batchSize)
        try container.encode(spec.keepRaw, forKey: .keepRaw)
        try container.encode(spec.watch.map { Watch(bucket: $0.bucket, prefix: $0.prefix, glob: $0.glob) }, forKey: .watch)
        guard detailed else { return }
        try container.encode(spec.columns.map { Column(name: $0.name, aliases: $0.aliases, required: $0.required) }, forKey: .columns)
        try container.encode(spec.dedupKey, forKey: .dedupKey)
        try container.encode(spec.screening.enabled ? spec.screening.checks.map(\.rawValue).sorted() : [], forKey: .screening)
        try container.encode(Budget(maxRejectedRatio: spec.errorBudget.maxRejectedRatio, maxRejectedRows: spec.errorBudget.maxRejectedRows),
                             forKey: .errorBudget)
    }
}
