import SluiceCore
import SluiceS3

/// Which pipeline a dropped object belongs to, from the `watch:` rules of all pipelines.
///
/// When several rules match, the most specific wins (the longest prefix, then a rule with a
/// glob). Two pipelines with the same rule would make the choice arbitrary, so the router
/// refuses them when it is built, naming both.
public struct WatchRouter: Sendable {
    /// Each rule with its pipeline's name.
    public let routes: [(pipeline: String, rule: WatchRule)]

    /// - Throws: `SluiceError` (`invalid_pipeline`) when two pipelines declare the same rule.
    public init(pipelines: [PipelineSpec]) throws {
        var routes: [(pipeline: String, rule: WatchRule)] = []
        var owners: [WatchRule: String] = [:]
        for spec in pipelines {
            for rule in spec.watch {
                if let owner = owners[rule], owner != spec.name {
                    throw SluiceError(.invalidPipeline, "pipelines \(owner) and \(spec.name) both watch \(rule.description); give one a longer prefix or a glob")
                }
                owners[rule] = spec.name
                routes.append((spec.name, rule))
            }
        }
        self.routes = routes
    }

    /// The pipeline that loads `key` in `bucket`, or `nil` when no pipeline watches it.
    public func pipeline(bucket: String, key: String) -> String? {
        routes.filter { $0.rule.matches(bucket: bucket, key: key) }
            .max { $0.rule.specificity < $1.rule.specificity }?
            .pipeline
    }

    /// The buckets and prefixes to poll: one entry per distinct bucket and prefix.
    public var watchedPrefixes: [(bucket: String, prefix: String)] {
        var seen = Set<String>()
        return routes.compactMap { route in
            seen.insert(route.rule.bucket + "\u{0}" + route.rule.prefix).inserted ? (route.rule.bucket, route.rule.prefix) : nil
        }
    }

    /// The created objects of a bucket notification that a pipeline takes, in the
    /// notification's order; objects no pipeline watches are left out.
    public func drops(from notification: BucketNotification) -> [DroppedObject] {
        notification.createdObjects.compactMap { object in
            pipeline(bucket: object.bucket, key: object.key).map {
                DroppedObject(pipeline: $0, bucket: object.bucket, key: object.key, etag: object.etag, size: object.size)
            }
        }
    }
}
