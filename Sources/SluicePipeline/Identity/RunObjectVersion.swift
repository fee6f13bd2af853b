import SluiceCore

/// Whether a run's object is still the version the run read, before its offsets are used to
/// find records in it again (`sluice source`).
public enum RunObjectVersion {
    /// The object as it is now, if it is still the version `run` read; otherwise a
    /// `source_changed` (or `source_not_found`) error naming it.
    public static func sameVersion(of source: any ByteSource, run: RunRecord) async throws -> SourceObject {
        let current: SourceObject
        do {
            current = try await source.describe()
        } catch let error as SluiceError where error.code == .sourceNotFound {
            throw SluiceError(.sourceNotFound, "the object run \(run.idText) read is gone (\(error.reason))", object: run.objectURI)
        }
        func changed(_ detail: String) -> SluiceError {
            SluiceError(.sourceChanged, "the object changed since run \(run.idText) read it (\(detail)); its rows' offsets no longer point into it",
                        object: run.objectURI)
        }
        if source is LocalFileSource, let recorded = run.contentSHA256 {
            // A file's modification time moves without its content changing (`touch`, a copy):
            // the content decides, as it did for the run.
            guard current.size == run.objectSize else { throw changed("\(run.objectSize) bytes then, \(current.size) now") }
            let digest = try await ContentDigest.sha256(of: source, object: current)
            guard digest == recorded else { throw changed("SHA-256 \(recorded.prefix(12))… then, \(digest.prefix(12))… now") }
        } else if current.etag != run.etag {
            throw changed("ETag \(run.etag) then, \(current.etag) now")
        }
        return current
    }
}
