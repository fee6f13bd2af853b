/// Where a streamed report's bytes go: a file (`BufferedFileOutput`) or the chunks of an
/// HTTP answer (`ChunkedReportOutput`). Writers hand it whole records.
public protocol ReportOutput: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// Everything written is delivered; nothing may be written after.
    func close() throws
}
