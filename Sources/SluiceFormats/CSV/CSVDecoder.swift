import SluiceCore

/// Turns the bytes of a delimited file into `RecordBatch`es, pulling chunks only as needed.
///
/// Use it in two steps: `readHeader()` reads the header record, then `nextBatch()` returns
/// batches of at most `batchRows` records until the end of the file. To resume a run, call
/// `seek(toOffset:line:sequence:)` between the two with a checkpoint's offset and line.
///
/// Rows that cannot be decoded (ragged, invalid UTF-8, an unterminated quote, too long)
/// stay in the batch, rejected with a reason code and their line: they never fail the run.
public struct CSVDecoder {
    public let source: any ByteSource
    public let object: SourceObject
    public private(set) var dialect: CSVDialect
    public let batchRows: Int

    private var reader: (any ByteReader)?
    private var arena: [UInt8] = []
    /// Arena index where scanning continues.
    private var scanPosition = 0
    private var scanner: CSVScanner?
    private var builder: CSVBatchBuilder
    /// Source offset of the next byte the reader will return.
    private var readOffset: Int64 = 0
    private var endOfSource = false
    /// After an over-long record: dropping bytes until the next line break.
    private var skippingToLineEnd = false
    private var sequence = 0
    /// Source offset where the batch being built starts.
    private var batchStartOffset: Int64 = 0
    private var columnNames: [String] = []
    private var expectedFields = 0

    public private(set) var header: CSVHeader?

    public init(source: any ByteSource, object: SourceObject, dialect: CSVDialect = CSVDialect(), batchRows: Int = 16_384) {
        self.source = source
        self.object = object
        self.dialect = dialect
        self.batchRows = max(1, batchRows)
        self.builder = CSVBatchBuilder(expectedRows: 0, expectedFields: 0)
    }

    /// Reads the header record from the start of the object and detects the delimiter.
    public mutating func readHeader() async throws -> CSVHeader {
        reader = try await source.open(at: 0, expectedETag: object.etag)
        readOffset = 0
        // The delimiter is detected from the first line, so read until it is complete.
        while !endOfSource && !arena.contains(UInt8(ascii: "\n")) && arena.count < dialect.maxRecordBytes {
            try await readChunk()
        }
        var start = 0
        if arena.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let delimiter = dialect.delimiter ?? CSVDialect.detectDelimiter(in: arena[start...], quote: dialect.quote)
        dialect.delimiter = delimiter
        var scanner = CSVScanner(delimiter: delimiter, quote: dialect.quote)
        scanner.boundary = start
        self.scanner = scanner
        scanPosition = start
        builder = CSVBatchBuilder(expectedRows: 1, expectedFields: 16)
        guard var batch = try await scan(maxRows: 1, sequence: -1), batch.rowCount == 1 else {
            throw SluiceError(.format, "the file is empty: no header line", stage: "parse", object: object.uri, line: 1)
        }
        if batch.status[0] == .rejected, let rejection = batch.rejections.first {
            throw SluiceError(.format, "the header line cannot be read: \(rejection.message)", stage: "parse", object: object.uri, line: 1)
        }
        columnNames = (0..<batch.fieldCount(ofRow: 0)).map { batch.text(row: 0, field: $0) }
        expectedFields = columnNames.count
        batch.rejections.removeAll()
        let header = CSVHeader(fields: columnNames, delimiter: delimiter, dataOffset: batch.nextOffset, dataLine: batch.nextLine)
        self.header = header
        builder = CSVBatchBuilder(expectedRows: batchRows, expectedFields: expectedFields)
        builder.segmentSourceOffset = header.dataOffset
        batchStartOffset = header.dataOffset
        return header
    }

    /// Continues from a checkpoint instead of the first data record.
    ///
    /// - Parameters:
    ///   - offset: source offset of a record start, as stored in a checkpoint.
    ///   - line: the line number of that record.
    ///   - sequence: the number to give the next batch.
    public mutating func seek(toOffset offset: Int64, line: Int64, sequence: Int) async throws {
        precondition(header != nil, "readHeader() first")
        self.sequence = sequence
        guard offset != builder.sourceOffset(ofArenaIndex: scanPosition) else {
            scanner?.line = line
            return
        }
        reader = try await source.open(at: offset, expectedETag: object.etag)
        readOffset = offset
        endOfSource = false
        skippingToLineEnd = false
        arena.removeAll(keepingCapacity: true)
        scanPosition = 0
        builder = CSVBatchBuilder(expectedRows: batchRows, expectedFields: expectedFields)
        builder.segmentSourceOffset = offset
        batchStartOffset = offset
        scanner?.state = .recordStart
        scanner?.boundary = 0
        scanner?.line = line
        scanner?.blankLines = 0
    }

    /// The next batch, or `nil` after the last one.
    public mutating func nextBatch() async throws -> RecordBatch? {
        precondition(header != nil, "readHeader() first")
        let batch = try await scan(maxRows: batchRows, sequence: sequence)
        if batch != nil { sequence += 1 }
        return batch
    }

    // MARK: - Scanning

    private mutating func scan(maxRows: Int, sequence: Int) async throws -> RecordBatch? {
        while true {
            let stop = scanArena(maxRows: maxRows)
            if stop < arena.count {
                return cut(at: stop, sequence: sequence)
            }
            if endOfSource {
                finishScanner()
                return builder.rowCount > 0 ? cut(at: arena.count, sequence: sequence) : nil
            }
            dropOverlongRecord()
            try await readChunk()
        }
    }

    private mutating func scanArena(maxRows: Int) -> Int {
        guard scanPosition < arena.count || scanner?.rows ?? 0 >= maxRows else { return arena.count }
        let bytes = arena
        var scanner = self.scanner!
        let stop = bytes.withUnsafeBufferPointer { buffer in
            scanner.scan(buffer, from: scanPosition, maxRows: maxRows, into: &builder)
        }
        self.scanner = scanner
        scanPosition = stop
        return stop
    }

    private mutating func finishScanner() {
        var scanner = self.scanner!
        scanner.finish(at: arena.count, into: &builder)
        self.scanner = scanner
        scanPosition = arena.count
    }

    private mutating func readChunk() async throws {
        guard var reader, !endOfSource else { return }
        guard let chunk = try await reader.next() else {
            endOfSource = true
            self.reader = nil
            return
        }
        self.reader = reader
        let chunkOffset = readOffset
        readOffset += Int64(chunk.count)
        if skippingToLineEnd {
            guard let lineEnd = chunk.firstIndex(of: UInt8(ascii: "\n")) else { return }
            skippingToLineEnd = false
            scanner?.line += 1
            resumeAfterSkip(atArenaIndex: arena.count, sourceOffset: chunkOffset + Int64(lineEnd + 1))
            arena.append(contentsOf: chunk[(lineEnd + 1)...])
            return
        }
        arena.append(contentsOf: chunk)
    }

    /// Keeps memory bounded when a record grows past `maxRecordBytes` (typically a quote that
    /// is never closed): the record is cut to the limit, rejected, and scanning resumes after
    /// the next line break.
    private mutating func dropOverlongRecord() {
        guard let scanner, scanner.isInsideRecord else { return }
        let recordStart = scanner.recordStart
        guard arena.count - recordStart > dialect.maxRecordBytes else { return }
        let keptEnd = recordStart + dialect.maxRecordBytes
        builder.discardOpenRecord()
        builder.endRecord(rawStart: recordStart, rawEnd: keptEnd, line: scanner.recordLine, flags: CSVBatchBuilder.flagTooLong)
        self.scanner?.rows += 1
        if let lineEnd = arena[keptEnd...].firstIndex(of: UInt8(ascii: "\n")) {
            var lineFeeds: Int64 = 0
            for byte in arena[recordStart...lineEnd] where byte == UInt8(ascii: "\n") { lineFeeds += 1 }
            self.scanner?.line = scanner.recordLine + lineFeeds
            let resumeOffset = builder.sourceOffset(ofArenaIndex: lineEnd + 1)
            arena.removeSubrange(keptEnd...lineEnd)
            resumeAfterSkip(atArenaIndex: keptEnd, sourceOffset: resumeOffset)
        } else {
            arena.removeSubrange(keptEnd...)
            skippingToLineEnd = true
            self.scanner?.state = .recordStart
            scanPosition = keptEnd
        }
    }

    private mutating func resumeAfterSkip(atArenaIndex index: Int, sourceOffset: Int64) {
        builder.segmentArenaStart = index
        builder.segmentSourceOffset = sourceOffset
        scanner?.state = .recordStart
        scanner?.boundary = index
        scanPosition = index
    }

    // MARK: - Cutting a batch

    private mutating func cut(at boundary: Int, sequence: Int) -> RecordBatch {
        let nextOffset = builder.sourceOffset(ofArenaIndex: boundary)
        let tail = Array(arena[boundary...])
        arena.removeSubrange(boundary...)

        var batch = RecordBatch(sequence: max(sequence, 0), object: object, startOffset: batchStartOffset)
        batch.arena = arena
        batch.fieldStarts = builder.fieldStarts
        batch.fieldEnds = builder.fieldEnds
        batch.rowFieldBase = builder.rowFieldBase
        batch.rawStarts = builder.rawStarts
        batch.rawEnds = builder.rawEnds
        batch.lines = builder.lines
        batch.offsets = builder.offsets
        batch.status = [RowStatus](repeating: .accepted, count: builder.rowCount)
        batch.nextOffset = nextOffset
        batch.nextLine = scanner!.line
        batch.skippedRows = scanner!.blankLines
        let flags = builder.flags
        let escaped = builder.escapedFields

        arena = tail
        // The next batch is about as large as this one; room for an eighth more keeps its
        // arena from being copied into a buffer twice the size when it runs slightly over or
        // when validation appends normalised values (each copy of a mapped buffer also faults
        // in every page).
        arena.reserveCapacity(max(batch.arena.count + batch.arena.count / 8, 1 << 16))
        scanPosition = 0
        scanner!.rows = 0
        scanner!.blankLines = 0
        scanner!.boundary = 0
        builder = CSVBatchBuilder(expectedRows: batchRows, expectedFields: expectedFields)
        builder.segmentSourceOffset = nextOffset
        batchStartOffset = nextOffset

        CSVRecordChecks(
            columnNames: columnNames,
            expectedFields: expectedFields,
            encoding: dialect.encoding,
            quote: dialect.quote,
            maxRecordBytes: dialect.maxRecordBytes
        ).apply(to: &batch, flags: flags, escapedFields: escaped)
        return batch
    }
}

extension RecordBatch {
    /// Source field `field` of `row` as text, for headers, messages and `inspect`.
    /// Invalid UTF-8 shows as U+FFFD.
    public func text(row: Int, field: Int) -> String {
        let span = fieldSpan(row: row, field: field)
        return String(decoding: arena[span], as: UTF8.self)
    }

    /// Mapped value `column` of `row` as text.
    public func valueText(row: Int, column: Int) -> String {
        String(decoding: arena[valueSpan(row: row, column: column)], as: UTF8.self)
    }
}
