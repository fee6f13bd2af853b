import Foundation

/// The `Content-Range` of a partial response: `bytes 100-199/1000`, or `bytes */1000`
/// for an unsatisfiable range.
public struct S3ContentRange: Sendable, Hashable {
    /// The first and last byte (inclusive) sent; `nil` for `bytes */total`.
    public var range: ClosedRange<Int64>?
    /// The size of the whole object, when the server knows it.
    public var total: Int64?

    public init(range: ClosedRange<Int64>?, total: Int64?) {
        self.range = range
        self.total = total
    }

    /// Parses a `Content-Range` header value; `nil` when it is malformed.
    public init?(_ header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count)
        guard let slash = spec.firstIndex(of: "/") else { return nil }
        let rangePart = spec[..<slash]
        let totalPart = spec[spec.index(after: slash)...]
        if totalPart == "*" {
            total = nil
        } else {
            guard let value = Int64(totalPart), value >= 0 else { return nil }
            total = value
        }
        if rangePart == "*" {
            range = nil
        } else {
            let bounds = rangePart.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2, let lower = Int64(bounds[0]), let upper = Int64(bounds[1]), lower >= 0,
                lower <= upper
            else {
                return nil
            }
            range = lower...upper
        }
    }
}
