import SluiceCore
import SluicePostgres

/// Finds one record by position or line, decoding from the nearest checkpoint before it.
///
/// Every checkpoint's `next_offset`/`next_line` is a record boundary where `sluice run`
/// resumes, so decoding from there gives the records (and their raw bytes, lines and
/// positions) the run saw. At most one batch span is decoded for `--offset`, and for
/// `--line` on CSV; XLSX row numbers may repeat or run downwards, so `--line` reads the
/// sheet's committed rows to the end and refuses a number that names several rows.
public struct RecordLocator: Sendable {
    let run: RunRecord
    let header: SourceHeader
    let checkpoints: [Checkpoint]

    /// What to look for: a row's position (`source_offset`, `byte_offset`) or its line
    /// (`source_line`, `line`).
    public enum Target: Sendable, Hashable {
        case offset(Int64)
        case line(Int64)
    }

    /// The record found: its position, line and raw bytes as the decoder produced them.
    public struct Found: Sendable, Hashable {
        public var offset: Int64
        public var line: Int64
        public var raw: [UInt8]
    }

    /// - Parameters:
    ///   - run: the run whose rows are looked up.
    ///   - header: the source header as the decoder read it again.
    ///   - checkpoints: the run's committed batches.
    public init(run: RunRecord, header: SourceHeader, checkpoints: [Checkpoint]) {
        self.run = run
        self.header = header
        self.checkpoints = checkpoints
    }

    private var isCSV: Bool { header.format.positionsAreBytes }
    private var positionName: String { isCSV ? "offset" : "sheet position" }
    /// Where the committed rows end: nothing at or after it was loaded or rejected.
    private var committedEnd: Int64 { checkpoints.map(\.nextOffset).max() ?? header.dataOffset }

    /// Whether a committed batch covers `position`.
    public func isCommitted(_ position: Int64) -> Bool {
        checkpoints.contains { $0.startOffset <= position && position < $0.nextOffset }
    }

    /// Record boundaries with their lines: the first data record and every checkpoint's next one.
    private var boundaries: [(offset: Int64, line: Int64)] {
        ([(header.dataOffset, header.dataLine)] + checkpoints.map { ($0.nextOffset, $0.nextLine) }).sorted { $0.offset < $1.offset }
    }

    private func noRow(_ reason: String) -> SluiceError {
        SluiceError(.invalidArgument, reason)
    }

    /// Decodes from the nearest checkpoint before `target` and returns its record.
    ///
    /// - Throws: `SluiceError` (`invalid_argument`) naming the nearby records when no committed
    ///   record starts there.
    public func locate(_ target: Target, in decoder: inout any RecordDecoder) async throws -> Found {
        let found: Found
        switch target {
        case .offset(let offset):
            found = try await locate(offset: offset, in: &decoder)
        case .line(let line) where isCSV:
            found = try await locate(csvLine: line, in: &decoder)
        case .line(let line):
            found = try await locate(sheetRow: line, in: &decoder)
        }
        guard isCommitted(found.offset) else {
            throw noRow("""
                the record at \(positionName) \(found.offset) (line \(found.line)) is in no batch that run \(run.idText) \
                (\(run.status.rawValue)) committed: it was neither loaded nor rejected
                """)
        }
        return found
    }

    private func locate(offset: Int64, in decoder: inout any RecordDecoder) async throws -> Found {
        guard offset >= header.dataOffset else {
            throw noRow("\(positionName) \(offset) is before the first data record (\(positionName) \(header.dataOffset)): it is the header")
        }
        guard offset < committedEnd else {
            throw noRow("run \(run.idText) committed rows up to \(positionName) \(committedEnd) only; \(offset) is past them")
        }
        let start = boundaries.last { $0.offset <= offset }!
        try await decoder.seek(toOffset: start.offset, line: start.line, sequence: 0)
        var previous: Found?
        while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount {
                let record = Self.record(row, of: batch)
                if record.offset == offset { return record }
                if record.offset > offset {
                    guard isCSV else { throw noRow("sheet position \(offset) is a blank row: no record is there") }
                    throw noRow(Self.between(previous, record, what: "offset \(offset)"))
                }
                previous = record
            }
        }
        guard isCSV else { throw noRow("sheet position \(offset) is a blank row: no record is there") }
        throw noRow(Self.between(previous, nil, what: "offset \(offset)"))
    }

    private func locate(csvLine line: Int64, in decoder: inout any RecordDecoder) async throws -> Found {
        guard line >= header.dataLine else {
            throw noRow("line \(line) is not a data line: the first data record starts on line \(header.dataLine)")
        }
        if let last = checkpoints.max(by: { $0.nextOffset < $1.nextOffset }), line >= last.nextLine {
            throw noRow("run \(run.idText) committed the records before line \(last.nextLine) only; line \(line) is past them")
        }
        let start = boundaries.last { $0.line <= line }!
        try await decoder.seek(toOffset: start.offset, line: start.line, sequence: 0)
        var previous: Found?
        while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount {
                let record = Self.record(row, of: batch)
                if record.line == line { return record }
                if record.line > line { throw noRow(Self.between(previous, record, what: "line \(line)")) }
                if record.offset >= committedEnd {
                    throw noRow("run \(run.idText) committed rows up to line \(record.line) only; line \(line) is past them")
                }
                previous = record
            }
        }
        throw noRow(Self.between(previous, nil, what: "line \(line)"))
    }

    private func locate(sheetRow line: Int64, in decoder: inout any RecordDecoder) async throws -> Found {
        var matches: [Found] = []
        reading: while let batch = try await decoder.nextBatch() {
            for row in 0..<batch.rowCount {
                let record = Self.record(row, of: batch)
                if record.offset >= committedEnd { break reading }
                if record.line == line { matches.append(record) }
            }
        }
        guard let first = matches.first else {
            throw noRow("no row of the sheet that run \(run.idText) committed has row number \(line)")
        }
        guard matches.count == 1 else {
            let positions = matches.prefix(5).map { String($0.offset) }.joined(separator: ", ")
            throw noRow("the sheet has \(matches.count) rows numbered \(line) (at sheet positions \(positions)); give --offset with the row's source_offset")
        }
        return first
    }

    static func record(_ row: Int, of batch: RecordBatch) -> Found {
        Found(offset: batch.offsets[row], line: batch.lines[row], raw: Array(batch.arena[Int(batch.rawStarts[row])..<Int(batch.rawEnds[row])]))
    }

    /// "offset 12 is not where a record starts: records start at offset 0 (line 2) and offset 40 (line 4)".
    static func between(_ before: Found?, _ after: Found?, what: String) -> String {
        func place(_ record: Found) -> String { "offset \(record.offset) (line \(record.line))" }
        switch (before, after) {
        case let (before?, after?): return "\(what) is not where a record starts: records start at \(place(before)) and \(place(after))"
        case let (before?, nil): return "\(what) is not where a record starts: the last record starts at \(place(before))"
        case let (nil, after?): return "\(what) is not where a record starts: the next record starts at \(place(after))"
        case (nil, nil): return "no record starts at \(what)"
        }
    }
}
