import Foundation

/// Temporary report files and reading XLSX parts back with `unzip`, for the report unit tests
/// and the integration tests alike.
public enum ReportFiles {
    public static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sluice-report-test-\(UUID().uuidString).\(suffix)").path
    }

    public static func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// One part of a zip archive, as text, through `/usr/bin/unzip -p`.
    public static func unzip(_ path: String, part: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-p", path, part]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw UnzipError(path: path, part: part, status: process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether `unzip -t` finds the archive intact.
    public static func isValidZip(_ path: String) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-tq", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    public struct UnzipError: Error {
        public var path: String
        public var part: String
        public var status: Int32
    }
}
