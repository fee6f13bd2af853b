import Logging
import SluiceCore
import SluiceS3

/// Turns an `--input` argument into a byte source: `s3://bucket/key` or a local path.
public struct InputLocator: Sendable {
    let s3Configuration: S3Configuration?
    let logger: Logger

    /// - Parameter s3Configuration: the S3 endpoint and credentials, needed for `s3://` inputs.
    public init(s3Configuration: S3Configuration?, logger: Logger = Logger(label: "sluice")) {
        self.s3Configuration = s3Configuration
        self.logger = logger
    }

    public func source(for input: String) throws -> any ByteSource {
        if input.hasPrefix("s3://") {
            guard let s3Configuration else {
                throw SluiceError(.invalidArgument, "\(input) is on S3 but SLUICE_S3_ENDPOINT and credentials are not set")
            }
            let client = try S3Client(configuration: s3Configuration, logger: logger)
            return S3ObjectSource(url: try S3URL(parsing: input), client: client)
        }
        return LocalFileSource(path: input)
    }
}
