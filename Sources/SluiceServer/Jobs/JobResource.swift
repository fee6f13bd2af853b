import Foundation
import Hummingbird
import SluiceJobs

/// A job as `GET /v1/jobs/{id}` shows it.
public struct JobResource: Sendable, Encodable, ResponseEncodable {
    public var job: JobRecord

    enum CodingKeys: String, CodingKey {
        case id, kind, payload, state, attempt, maxAttempts = "max_attempts", runAfter = "run_after"
        case leaseOwner = "lease_owner", lastError = "last_error", createdAt = "created_at", updatedAt = "updated_at", finishedAt = "finished_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(job.id, forKey: .id)
        try container.encode(job.kind, forKey: .kind)
        if let data = job.payload.data(using: .utf8), let payload = try? JSONDecoder().decode(RunJobPayload.self, from: data) {
            try container.encode(payload, forKey: .payload)
        }
        try container.encode(job.state.rawValue, forKey: .state)
        try container.encode(job.attempt, forKey: .attempt)
        try container.encode(job.maxAttempts, forKey: .maxAttempts)
        try container.encode(job.runAfter, forKey: .runAfter)
        try container.encodeIfPresent(job.leaseOwner, forKey: .leaseOwner)
        try container.encodeIfPresent(job.lastError, forKey: .lastError)
        try container.encode(job.createdAt, forKey: .createdAt)
        try container.encode(job.updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(job.finishedAt, forKey: .finishedAt)
    }
}
