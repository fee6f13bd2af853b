#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a pipeline's `watch:` list: objects dropped into `bucket` under `prefix`
/// (and, if given, whose key after the prefix matches `glob`) start a run of the pipeline
/// when `sluice serve` sees them.
///
/// `glob` is matched with the C library's `fnmatch` and `FNM_PATHNAME`: `*` and `?` do not
/// cross a `/`, `[a-z]` and `[!x]` are classes. So `prefix: incoming/` with `glob: "*.csv"`
/// takes `incoming/march.csv` but not `incoming/archive/march.csv`.
public struct WatchRule: Sendable, Hashable {
    public var bucket: String
    /// Keys must start with it; empty takes the whole bucket.
    public var prefix: String
    public var glob: String?

    public init(bucket: String, prefix: String = "", glob: String? = nil) {
        self.bucket = bucket
        self.prefix = prefix
        self.glob = glob
    }

    /// Whether an object `key` in `bucket` belongs to this rule.
    public func matches(bucket: String, key: String) -> Bool {
        guard bucket == self.bucket, key.hasPrefix(prefix) else { return false }
        let rest = String(key.dropFirst(prefix.count))
        guard !rest.isEmpty, !rest.hasSuffix("/") else { return false }  // the "folder" itself
        guard let glob else { return true }
        return fnmatch(glob, rest, FNM_PATHNAME) == 0
    }

    /// How specific the rule is, to pick one pipeline when several match: a longer prefix
    /// first, then a rule with a glob over one without.
    var specificity: (Int, Int) { (prefix.utf8.count, glob == nil ? 0 : 1) }

    /// `s3://bucket/prefix` plus the glob, for messages.
    public var description: String { "s3://\(bucket)/\(prefix)\(glob ?? "")" }
}
