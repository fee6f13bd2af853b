/// One reason a row was rejected, as `sluice.rejections` stores it.
public struct RejectionReason: Sendable, Hashable {
    public var code: String
    public var message: String
    /// The canonical (or source) column the reason is about, when there is one.
    public var column: String?

    public init(code: String, message: String, column: String? = nil) {
        self.code = code
        self.message = message
        self.column = column
    }
}
