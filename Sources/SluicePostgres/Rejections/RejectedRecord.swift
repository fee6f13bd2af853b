/// One rejected row of a run as stored: its location, raw record and every reason,
/// from the rows of `sluice.rejections` that share its batch and line.
public struct RejectedRecord: Sendable, Hashable {
    public struct Reason: Sendable, Hashable {
        public var code: String
        public var message: String
        public var column: String?

        public init(code: String, message: String, column: String?) {
            self.code = code
            self.message = message
            self.column = column
        }
    }

    public var batchSequence: Int
    /// The line (CSV) or sheet row (XLSX) where the record starts.
    public var line: Int64
    public var byteOffset: Int64
    /// The record as it stood in the source.
    public var raw: [UInt8]
    public var reasons: [Reason]
}
