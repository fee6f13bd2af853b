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

    /// Reads and checks a pipeline file.
    ///
    /// A file that cannot be read fails with a one-line reason and no underlying error, so the
    /// CLI prints nothing more: `pipeline file not found: pipelines/debtor.yaml`.
    public static func load(path: String) throws -> PipelineSpec {
        let data = try PipelineFile.read(path: path)
        return try parse(yaml: try PipelineFile.text(of: data, path: path), path: path)
    }

    /// Parses pipeline YAML. Errors name the file, the key path, and the line and column.
    ///
    /// The composed YAML is first held against `PipelineDocument.schema`, so an unknown key
    /// (`error_budget: {max_rejected_row: 0}`) is an error rather than a budget silently
    /// dropped; then it is decoded and its values checked.
    public static func parse(yaml: String, path: String? = nil) throws -> PipelineSpec {
        let root: Node
        do {
            // The resolver of `YAMLDecoder`: plain scalars stay text until a type is asked for.
            guard let node = try compose(yaml: yaml, Resolver.basic.appending(.merge)) else {
                throw SpecProblem("the pipeline file is empty", at: .root, mark: nil).error(file: path)
            }
            root = node
        } catch let error as YamlError {
            throw SpecProblem(error).error(file: path)
        }
        // For messages only: the name, when the file has one that reads as text.
        let pipeline = SpecPath([.key("name")]).node(in: root)?.scalar?.string
        if let problem = PipelineDocument.schema.problems(in: root).first {
            throw problem.error(file: path, pipeline: pipeline)
        }
        let document: PipelineDocument
        do {
            document = try YAMLDecoder().decode(PipelineDocument.self, from: root)
        } catch let error as DecodingError {
            throw SpecProblem(error, in: root).error(file: path, pipeline: pipeline)
        } catch let error as YamlError {
            throw SpecProblem(error).error(file: path, pipeline: pipeline)
        }
        return try document.validated(path: path, root: root)
    }
}

