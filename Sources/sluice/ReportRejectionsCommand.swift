import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluicePostgres
import SluiceReports
import SluiceS3

struct ReportRejectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejections",
        abstract: "Write every rejected row of a run, with its original values and reasons.",
        discussion: """
            The report streams from the database to the file in constant memory. IBANs are \
            masked unless --unmasked is given. With --upload the report is also put next to \
            the run's S3 object, as KEY.rejections.<first 8 of run id>.<format>.
            """
    )

    @Argument(help: "The run id, or a unique prefix of it (see `sluice runs`).")
    var runID: String

    @Option(name: .long, help: "csv or xlsx; by default from the --output extension, else csv.")
    var format: ReportFormat?

    @Option(name: .shortAndLong, help: "The report file to write. Optional with --upload.")
    var output: String?

    @Flag(name: .long, help: "Report the flagged rows (accepted, with a review code) instead of the rejected ones.")
    var flagged = false

    @Flag(name: .long, help: "Show IBANs in clear.")
    var unmasked = false

    @Flag(name: .long, help: "Also upload the report to S3, next to the run's source object.")
    var upload = false

    @Flag(name: .shortAndLong, help: "Log debug messages to stderr.")
    var verbose = false

    func validate() throws {
        if output == nil && !upload {
            throw ValidationError("give --output FILE, or --upload to put the report on S3")
        }
    }

    var resolvedFormat: ReportFormat { .resolved(format, output: output) }

    func run() async throws {
        let logger = Environment.logger(verbose: verbose)
        try await reportingErrors {
            let (written, destination) = try await ReportContext.with(runID: runID, logger: logger) { context in
                let destination = upload ? try uploadDestination(for: context.run) : nil
                return (try await write(context), destination)
            }
            defer { if written.temporary { try? FileManager.default.removeItem(atPath: written.path) } }
            if !written.temporary {
                Terminal.printError("wrote \(written.rows) \(flagged ? "flagged" : "rejected") rows to \(written.path)")
            }
            // What an XLSX sheet could not hold (columns past XFD, cells past 32,767 characters).
            for note in written.notes {
                Terminal.printError("warning: \(note)")
            }
            if let destination {
                try await put(written.path, to: destination, logger: logger)
                Terminal.printError("uploaded \(written.rows) \(flagged ? "flagged" : "rejected") rows to \(destination)")
                print(destination.description)
            }
        }
    }

    private func write(_ context: ReportContext) async throws -> (path: String, rows: Int, temporary: Bool, notes: [String]) {
        let format = resolvedFormat
        let temporary = output == nil
        let path = output ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-report-\(UUID().uuidString).\(format.fileExtension)").path
        let (rows, notes) = try await Self.writeRows(of: context, to: path, format: format, flagged: flagged, masksIBANs: !unmasked)
        return (path, rows, temporary, notes)
    }

    /// Writes the run's rejected (or flagged) rows with the summary sheet to `path`; also what
    /// a dry run leaves behind (`sluice run --dry-run`).
    static func writeRows(
        of context: ReportContext, to path: String, format: ReportFormat, flagged: Bool, masksIBANs: Bool
    ) async throws -> (rows: Int, notes: [String]) {
        let layout = try await context.source.layout()
        let writer: any RejectionReportWriter = switch format {
        case .csv: try CSVRejectionReportWriter(path: path, layout: layout)
        case .xlsx: try XLSXRejectionReportWriter(path: path, layout: layout)
        }
        try await context.source.writeRows(flagged ? .flagged : .rejected, masksIBANs: masksIBANs, to: writer)
        try writer.finish(summary: try await context.summary())
        return (writer.rowsWritten, writer.notes)
    }

    /// Where `--upload` puts the report; fails before any work for a local-file run.
    private func uploadDestination(for run: RunRecord) throws -> S3URL {
        guard run.objectURI.hasPrefix("s3://") else {
            throw SluiceError(.invalidArgument, "--upload needs a run of an S3 object; run \(run.idText) read the local file \(run.objectURI)")
        }
        guard try Environment.s3() != nil else {
            throw SluiceError(.invalidArgument, "--upload needs SLUICE_S3_ENDPOINT and credentials")
        }
        let source = try S3URL(parsing: run.objectURI)
        return S3URL(bucket: source.bucket, key: ReportObjectKey.key(forSourceKey: source.key, runID: run.idText, format: resolvedFormat))
    }

    private func put(_ path: String, to destination: S3URL, logger: Logger) async throws {
        guard let configuration = try Environment.s3() else {
            throw SluiceError(.invalidArgument, "--upload needs SLUICE_S3_ENDPOINT and credentials")
        }
        let client = try S3Client(configuration: configuration, logger: logger)
        try await client.putObject(bucket: destination.bucket, key: destination.key, fileAt: path, contentType: resolvedFormat.contentType)
    }
}
