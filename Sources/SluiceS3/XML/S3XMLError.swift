/// A document that is not well-formed XML.
struct S3XMLError: Error, Sendable, CustomStringConvertible {
    var line: Int
    var reason: String
    var description: String { "malformed XML at line \(line): \(reason)" }
}
