import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceFormats
import SluicePipeline
import SluicePostgres

#if canImport(Glibc)
import Glibc
#endif

/// `sluice source RUN_ID (--line N | --offset N)`: the source bytes of a loaded or rejected
/// row, found again from its lineage (`source_line`/`source_offset`, `line`/`byte_offset`).
///
/// It re-opens the run's object, refuses it unless it is the version the run read (S3: the
/// ETag, also sent as `If-Match` on every read; a local file: the SHA-256 recorded on the
/// run), and decodes from the nearest checkpoint with the run's own decoder, so it prints
/// exactly what `raw` holds with `target.keep_raw: true`.
struct SourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Print the source record of a loaded or rejected row, from its run and line or offset.",
        discussion: """
            --offset takes a row's source_offset (target table) or byte_offset (sluice.rejections), \
            --line its source_line or line. The run's object is read again and must be the \
            version the run read (exit 5 otherwise). Prints the record's bytes as the decoder \
            produced them (what the raw column holds with target.keep_raw: true), without a line \
            terminator; --json prints an object instead. See docs/cli.md.
            """
    )

    @Argument(help: "The run id, or a unique prefix of it (as `sluice runs` prints it).")
    var runID: String

    @Option(name: .long, help: "The row's source_offset or byte_offset: a byte offset for CSV (in the decoded text for gzip and UTF-16), the row's position in the sheet for XLSX.")
    var offset: Int64?

    @Option(name: .long, help: "The row's source_line or line: the physical line where a CSV record starts, the sheet row for XLSX.")
    var line: Int64?

    @Option(name: .long, help: "The run's pipeline file. Needed only when it sets source.encoding or source.max_record_bytes: the run records its format, delimiter and sheet.")
    var pipeline: String?

    @Flag(name: .long, help: "Print a JSON object: run_id, pipeline, object, etag, format, sheet, line, offset, raw (and raw_base64 when raw is not UTF-8).")
    var json = false

    @Flag(name: .shortAndLong, help: "Log debug messages (S3 retries among them) to stderr.")
    var verbose = false

    func validate() throws {
        guard (offset == nil) != (line == nil) else { throw ValidationError("give exactly one of --offset N and --line N") }
        if let offset, offset < 0 { throw ValidationError("--offset must be 0 or more") }
        if let line, line < 1 { throw ValidationError("--line must be 1 or more") }
    }

    func run() async throws {
        let logger = Environment.logger(verbose: verbose)
        let record = try await reportingErrors { try await find(logger: logger) }
        if json {
            print(record.jsonText)
        } else {
            // Exactly the record's bytes, for `> file` and `| xxd`; a newline only on a terminal.
            Self.writeOut(record.raw + (isatty(STDOUT_FILENO) == 1 ? [UInt8(ascii: "\n")] : []))
        }
    }

    private var target: RecordLocator.Target {
        if let offset { return .offset(offset) }
        return .line(line ?? 0)
    }

    private func find(logger: Logger) async throws -> SourceRecord {
        let lineage = try await Lineage.read(runID: runID, logger: logger)
        let run = lineage.run
        guard let layout = lineage.layout, !lineage.checkpoints.isEmpty else {
            throw SluiceError(.invalidArgument, "run \(run.idText) (\(run.status.rawValue)) committed no rows, so no row has a source to show", object: run.objectURI)
        }
        let options = try decoderOptions(run: run, layout: layout)
        let source = try InputLocator(s3Configuration: try Environment.s3(), logger: logger).source(for: run.objectURI)
        let object = try await RunObjectVersion.sameVersion(of: source, run: run)
        do {
            // The resume path of `sluice run`: the same decoder, header, then a seek to a checkpoint.
            var decoder = try await RecordDecoders.open(source: source, object: object, options: options)
            let header = try await decoder.readSourceHeader()
            let locator = RecordLocator(run: run, header: header, checkpoints: lineage.checkpoints)
            let found = try await locator.locate(target, in: &decoder)
            return SourceRecord(
                runID: run.idText, pipeline: run.pipeline, object: run.objectURI, etag: object.etag, format: header.format.rawValue,
                sheet: header.sheet, line: found.line, offset: found.offset, raw: found.raw)
        } catch let error as SluiceError {
            throw error.adding(pipeline: run.pipeline, object: run.objectURI)
        }
    }

    /// The run's decoder settings: those it recorded (format, delimiter, sheet), and from the
    /// pipeline file those it did not (encoding, record size limit, XLSX limits).
    private func decoderOptions(run: RunRecord, layout: SourceHeader) throws -> DecoderOptions {
        var options = DecoderOptions(batchRows: run.batchRows)
        if let pipeline {
            let spec = try PipelineSpec.load(path: pipeline)
            guard spec.name == run.pipeline else {
                throw SluiceError(.invalidArgument, "run \(run.idText) belongs to pipeline \(run.pipeline), but \(pipeline) is pipeline \(spec.name)")
            }
            options = spec.source.decoderOptions(batchRows: run.batchRows)
        }
        options.format = layout.format
        options.dialect.delimiter = layout.delimiter
        if layout.format == .xlsx { options.sheet = layout.sheet }
        return options
    }

    static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

extension SourceCommand {
    /// What the database holds about the run, read on one short read-only connection.
    struct Lineage: Sendable {
        var run: RunRecord
        /// The header, format, delimiter and sheet the run recorded; `nil` before it read its header.
        var layout: SourceHeader?
        var checkpoints: [Checkpoint]

        static func read(runID: String, logger: Logger) async throws -> Lineage {
            try await Environment.database().withConnection(logger: logger) { connection in
                // Only reads: check the schema, never change it.
                try await Migrator().requireCurrent(on: connection, logger: logger)
                let runs = RunStore(connection: connection, logger: logger)
                let run = try await runs.resolveRun(runID)
                let layout = try await runs.sourceLayout(of: run.id)?.header
                return Lineage(run: run, layout: layout, checkpoints: try await runs.checkpoints(of: run))
            }
        }
    }

    /// What `--json` prints.
    struct SourceRecord: Encodable {
        var runID: String
        var pipeline: String
        var object: String
        var etag: String
        var format: String
        var sheet: String?
        var line: Int64
        var offset: Int64
        var raw: [UInt8]

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", pipeline, object, etag, format, sheet, line, offset, raw
            case rawBase64 = "raw_base64"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(runID, forKey: .runID)
            try container.encode(pipeline, forKey: .pipeline)
            try container.encode(object, forKey: .object)
            try container.encode(etag, forKey: .etag)
            try container.encode(format, forKey: .format)
            try container.encodeIfPresent(sheet, forKey: .sheet)
            try container.encode(line, forKey: .line)
            try container.encode(offset, forKey: .offset)
            // `raw` is text for reading; bytes that are not UTF-8 show as U+FFFD there, and
            // `raw_base64` then carries the exact bytes.
            try container.encode(String(decoding: raw, as: UTF8.self), forKey: .raw)
            if String(validating: raw, as: UTF8.self) == nil {
                try container.encode(Data(raw).base64EncodedString(), forKey: .rawBase64)
            }
        }

        var jsonText: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }
}
