/// The file formats of a rejection report.
public enum ReportFormat: String, Sendable, CaseIterable {
    case csv
    case xlsx

    public var fileExtension: String { rawValue }

    public var contentType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }
}
