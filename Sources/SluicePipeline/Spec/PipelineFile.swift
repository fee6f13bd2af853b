import Foundation
import SluiceCore

/// Reads a pipeline file from disk, saying in plain words why it cannot: the CLI prints the
/// reason as the last line, so there is no `NSCocoaErrorDomain` dump to decipher.
enum PipelineFile {
    /// The bytes of the file at `path`.
    ///
    /// Throws `SluiceError(.invalidPipeline)`: `pipeline file not found: PATH`,
    /// `pipeline file PATH is a directory`, `cannot read pipeline file PATH: permission denied`.
    static func read(path: String) throws -> Data {
        func failure(_ reason: String) -> SluiceError { SluiceError(.invalidPipeline, reason) }

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("pipeline file not found: \(path)")
        }
        guard !isDirectory.boolValue else { throw failure("pipeline file \(path) is a directory, not a file") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw failure("cannot read pipeline file \(path): \(reason(error))")
        }
    }

    /// The file's text; a file that is not UTF-8 is refused at its first bad byte.
    static func text(of data: Data, path: String) throws -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        var line = 1, column = 1, offset = 0
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        scan: while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let encoded):
                offset += encoded.count
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .error, .emptyInput:
                break scan
            }
        }
        let byte = offset < data.count ? String(format: " (byte 0x%02X)", data[data.startIndex + offset]) : ""
        throw SluiceError(
            .invalidPipeline, "the pipeline file is not UTF-8 text\(byte); save it as UTF-8", object: path, line: Int64(line), column: String(column))
    }

    /// Why reading failed, in the words of `ls` and `cat`: "permission denied".
    static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: error.code) {
            case .fileReadNoPermission: return "permission denied"
            case .fileReadNoSuchFile: return "no such file"
            case .fileReadTooLarge: return "the file is too large"
            default: break
            }
        }
        let posix = (error.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0 : nil }
            ?? (error.domain == NSPOSIXErrorDomain ? error : nil)
        if let posix, let message = strerror(Int32(posix.code)) {
            let text = String(cString: message)
            return text.prefix(1).lowercased() + text.dropFirst()
        }
        return error.localizedDescription
    }
}
