import SluiceCore

/// Builds the `SluiceError`s an XLSX file is refused with: code `.format`, stage `parse`.
enum XLSXFailure {
    static func error(_ reason: String, object: String, line: Int64? = nil, column: String? = nil) -> SluiceError {
        SluiceError(.format, reason, stage: "parse", object: object, line: line, column: column)
    }
}
