import ArgumentParser
import Foundation
import SluiceReports

extension ReportFormat: ExpressibleByArgument {
    /// What a report command writes: `format` when given, else what the extension of `output`
    /// names, else CSV.
    static func resolved(_ format: ReportFormat?, output: String?) -> ReportFormat {
        if let format { return format }
        if let output, let inferred = ReportFormat(rawValue: URL(fileURLWithPath: output).pathExtension.lowercased()) { return inferred }
        return .csv
    }
}
