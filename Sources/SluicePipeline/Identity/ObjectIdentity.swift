import Foundation
import Logging
import SluiceCore
import SluicePostgres

/// Decides which run an object belongs to: an unfinished run to resume, a completed one (the
/// object was loaded already), or a new run.
///
/// An object version is its URI plus its ETag. For S3 that is the object's ETag. A local file
/// has none, so its size and modification time stand in; and since a `touch` or a copy moves
/// the modification time without changing a byte, a new run of a local file first takes the
/// SHA-256 of its content and looks for a run of the same pipeline on the same path with the
/// same content. The same content at the same place is the same object.
struct ObjectIdentity: Sendable {
    let source: any ByteSource
    let object: SourceObject
    let store: RunStore
    let logger: Logger

    var isLocalFile: Bool { source is LocalFileSource }

    func findOrCreateRun(_ spec: PipelineSpec, options: RunOptions, node: String) async throws -> (RunRecord, Bool) {
        let batchRows = options.batchSize ?? spec.batchSize
        let plan = RunPlan(spec: spec, batchRows: batchRows).json
        guard options.mode == .load else {
            // A dry run or a test is a run of its own: it never resumes, completes or blocks a load.
            guard options.resumeRunID == nil else {
                throw SluiceError(.invalidArgument, "a \(options.mode == .dryRun ? "dry run" : "test run") cannot resume a run")
            }
            let run = try await store.createRun(
                pipeline: spec.name, object: object, targetTable: spec.target.description, batchRows: batchRows, node: node,
                id: options.newRunID, mode: options.mode, plan: plan)
            return (run, false)
        }
        if let id = options.resumeRunID {
            return (try await resumable(id: id, spec: spec), true)
        }
        if let open = try await store.openRun(pipeline: spec.name, object: object) {
            return (open, true)
        }
        if !options.force, let done = try await store.completedRun(pipeline: spec.name, object: object) {
            throw SluiceError(.alreadyLoaded, "this object version was already loaded by run \(done.idText); use --force to load it again")
        }
        if !options.force, let cancelled = try await store.latestRun(pipeline: spec.name, object: object, status: .cancelled) {
            throw SluiceError(.runNotResumable, """
                run \(cancelled.idText) of this object version was cancelled and keeps the \(cancelled.counters.rowsRead) rows it read; \
                continue it with --resume \(cancelled.idText), or start a new run with --force
                """)
        }
        var digest: String?
        if isLocalFile {
            // One read of the file, before loading it: the hash is the file's identity from
            // now on, so even a run killed in its first batch is found again after a `touch`.
            let content = try await ContentDigest.sha256(of: source, object: object)
            digest = content
            let same = try await store.runs(pipeline: spec.name, uri: object.uri, size: object.size, contentSHA256: content)
            if let open = same.first(where: { $0.status.isResumable }) {
                logger.notice("same content as an unfinished run; resuming it", metadata: ["resumed_run": "\(open.idText)"])
                try await store.adopt(open, etag: object.etag)
                return (open, true)
            }
            if !options.force, let done = same.first(where: { $0.status == .completed }) {
                throw SluiceError(.alreadyLoaded, """
                    this file was already loaded by run \(done.idText): its content is the same (SHA-256 \(content.prefix(12))…), \
                    only its modification time changed; use --force to load it again
                    """)
            }
        }
        let run = try await store.createRun(
            pipeline: spec.name, object: object, targetTable: spec.target.description, batchRows: batchRows, node: node,
            contentSHA256: digest, id: options.newRunID, plan: plan)
        return (run, false)
    }

    /// The run `--resume` names, if it may continue on this object.
    private func resumable(id: UUID, spec: PipelineSpec) async throws -> RunRecord {
        guard let run = try await store.run(id: id) else {
            throw SluiceError(.runNotFound, "no run with id \(id.uuidString.lowercased())")
        }
        guard run.status != .completed else {
            throw SluiceError(.runNotResumable, "run \(run.idText) is already completed")
        }
        guard run.mode == .load else {
            throw SluiceError(.runNotResumable, "run \(run.idText) is a \(run.mode == .dryRun ? "dry run" : "test run"); only loads resume")
        }
        guard run.pipeline == spec.name, run.objectURI == object.uri else {
            throw SluiceError(.runNotResumable, "run \(run.idText) is pipeline \(run.pipeline) on \(run.objectURI), not this input")
        }
        guard run.etag != object.etag else { return run }
        if isLocalFile, run.objectSize == object.size, let recorded = run.contentSHA256,
           try await ContentDigest.sha256(of: source, object: object) == recorded {
            try await store.adopt(run, etag: object.etag)
            return run
        }
        throw SluiceError(.sourceChanged, "the object changed since run \(run.idText) started (ETag \(run.etag), now \(object.etag))")
    }
}
