import Foundation
import SluiceBilling
import SluiceCore
import SluiceFormats
import SluicePostgres
import SluiceStages
import SluiceValidation
import Yams

/// A pipeline file from `pipelines/`: where data comes from, how its columns map, and where
/// it goes. `parse(yaml:path:)` is the only place that decodes pipeline YAML.
public struct PipelineSpec: Sendable, Hashable {
    public var name: String
    public var source: SourceSpec
    public var target: TableName
    /// Connections that commit batches in parallel, each batch in its own transaction.
    public var sinkConnections: Int
    /// Whether accepted rows keep their raw record in the target table's `raw` column.
    public var keepRaw: Bool
    public var batchSize: Int
    public var columns: [ColumnSpec]
    /// Rules of the `validate` stage; the defaults of `domain.md` when the file has no
    /// `validation:` section.
    public var validation: ValidationRules
    /// Columns of the in-file dedup key, after validation; empty turns dedup off.
    public var dedupKey: [String]
    /// Rules of the `screen` stage.
    public var screening: ScreeningRules
    /// How many rejected rows a run may have before it fails as a whole.
    public var errorBudget: ErrorBudget
    /// Bucket drops that start a run of this pipeline under `sluice serve`; empty when none.
    public var watch: [WatchRule] = []
    /// Payee verification before loading (`vop:`); `nil` when the file has no such section
    /// or turns it off.
    public var vop: VOPSpec? = nil
    /// Billing of the run's rows after it completes (`billing:`); `nil` when the file has no
    /// such section or turns it off.
    public var billing: BillingSettings? = nil
    /// The file the spec was read from, for messages.
    public var path: String?

    public struct SourceSpec: Sendable, Hashable {
        /// Default input when `--input` is not given: `s3://bucket/key` or a path.
        public var input: String?
        /// `nil` (`format: auto`) detects the format from the object's first bytes.
        public var format: SourceFormat?
        /// For XLSX: a sheet name or 1-based index; `nil` reads the first visible sheet.
        public var sheet: String?
        /// `nil` detects the delimiter from the header line.
        public var delimiter: UInt8?
        public var encoding: TextEncoding
        public var maxRecordBytes: Int
        /// Limits of the XLSX reader; the defaults of `XLSXLimits` unless `source.xlsx` sets them.
        public var xlsxLimits = XLSXLimits()

        public var dialect: CSVDialect {
            CSVDialect(delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes)
        }

        public func decoderOptions(batchRows: Int) -> DecoderOptions {
            var options = DecoderOptions(format: format, dialect: dialect, sheet: sheet, batchRows: batchRows)
            options.xlsxLimits = xlsxLimits
            return options
        }
    }

    public static let defaultBatchSize = 16_384

    /// Reads and checks a pipeline file, its includes and its `${VAR}`.
    ///
    /// A file that cannot be read fails with a one-line reason and no underlying error, so the
    /// CLI prints nothing more: `pipeline file not found: pipelines/debtor.yaml`.
    ///
    /// - Throws: `SluiceError(.invalidPipeline)` when the file has an error (see `parse`).
    public static func load(path: String) throws -> PipelineSpec {
        try load(path: path, environment: ProcessInfo.processInfo.environment)
    }

    /// Reads and checks a pipeline file, with `${VAR}` read from `environment`; each warning
    /// goes to `warn` (`sluice run` prints them, as `sluice lint` does).
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment, warn: (SpecProblem) -> Void = { _ in }
    ) throws -> PipelineSpec {
        let data = try PipelineFile.read(path: path)
        let lint = lint(yaml: try PipelineFile.text(of: data, path: path), path: path, environment: environment)
        lint.warnings.forEach(warn)
        return try lint.checkedSpec()
    }

    /// Parses pipeline YAML. Errors name the file, the key path, and the line and column.
    ///
    /// - Throws: `SluiceError(.invalidPipeline)` with the first error's file, line and column;
    ///   when there are several, its reason lists them all, one a line as `sluice lint` prints
    ///   them. Warnings do not throw: `lint(yaml:path:environment:)` returns them.
    public static func parse(yaml: String, path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PipelineSpec
    {
        try lint(yaml: yaml, path: path, environment: environment).checkedSpec()
    }

    /// Every problem of the pipeline file at `path`, and the spec when it has no error.
    /// A file that cannot be read is one problem, without a line.
    public static func lint(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> PipelineLint {
        var source = PipelineSource(environment: environment)
        let tree = source.tree(path: path)
        return PipelineLint(file: path, tree: tree, problems: source.problems)
    }

    /// Every problem of pipeline YAML, and the spec when it has no error.
    ///
    /// In order: the YAML, its `include:` files and `${VAR}`; then the shape of the file
    /// (`PipelineDocument.schema`: unknown keys, values of the wrong kind, missing keys); then
    /// what does not decode; then the values (`PipelineDocument.checked`) and the settings that
    /// do not work together. A value with a problem is left out of the later steps, so each
    /// mistake is said once.
    ///
    /// - Parameter path: names the file in problems; its includes are found beside it.
    public static func lint(yaml: String, path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> PipelineLint
    {
        var source = PipelineSource(environment: environment)
        let tree = source.tree(yaml: yaml, file: path)
        return PipelineLint(file: path, tree: tree, problems: source.problems)
    }
}
