/// Where `--upload` puts a report: next to the run's source object, named after it, the
/// report kind, the first 8 characters of the run id and the format.
///
/// `incoming/debtors.csv`, run `1a2b3c4d-…`, XLSX → `incoming/debtors.csv.rejections.1a2b3c4d.xlsx`
public enum ReportObjectKey {
    public static func key(forSourceKey sourceKey: String, runID: String, kind: String = "rejections", format: ReportFormat) -> String {
        "\(sourceKey).\(kind).\(runID.lowercased().prefix(8)).\(format.fileExtension)"
    }
}
