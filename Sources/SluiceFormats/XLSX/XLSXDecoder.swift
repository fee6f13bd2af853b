import SluiceCore

/// Streams one worksheet of an .xlsx workbook into `RecordBatch`es, in bounded memory.
///
/// Reads the zip directory from the end of the object, then the workbook, styles and shared
/// strings parts, then streams the sheet part through inflate into libxml2's SAX2 push
/// parser. Positions are row ordinals in the sheet part (document order, not the `r`
/// numbers, which a file may have in any order): `seek(toOffset:)` re-streams the sheet and
/// skips the rows before the checkpoint's position.
///
/// Each row's raw record is its cell texts as one RFC 4180 CSV record with `,`, so reports
/// split raw records the same way for both formats.
public struct XLSXDecoder {
    public let source: any ByteSource
    public let object: SourceObject
    public let sheetSelector: String?
    public let batchRows: Int
    public let limits: XLSXLimits

    private var parts: WorkbookParts?
    private var sheet: Workbook.Sheet?
    private var handler: SheetHandler?
    private var parser: XMLPushParser?
    private var pipe: InflatePipe?
    private var chunk: [UInt8] = []
    private var chunkPosition = 0
    private var ended = false
    private var sequence = 0
    /// The position where the next batch starts.
    private var nextStart: Int64 = 0
    public private(set) var header: SourceHeader?

    /// Bytes handed to libxml2 per call, so a batch overshoots its row count only slightly.
    static let parseSlice = 32 * 1024

    public init(source: any ByteSource, object: SourceObject, sheet: String? = nil, batchRows: Int = 16_384, limits: XLSXLimits = XLSXLimits()) {
        self.source = source
        self.object = object
        self.sheetSelector = sheet
        self.batchRows = max(1, batchRows)
        self.limits = limits
    }

    /// Opens the workbook, picks the sheet and reads up to its header row.
    public mutating func readHeader() async throws -> SourceHeader {
        let zip = try await ZipDirectory.read(source: source, object: object, limits: limits)
        let parts = WorkbookParts(source: source, object: object, zip: zip, limits: limits)
        self.parts = parts
        let workbook = try await Workbook.read(zip: zip, parts: parts)
        let sheet = try workbook.sheet(sheetSelector, object: object.uri)
        self.sheet = sheet
        guard let path = sheet.path, let entry = zip.entry(path) else {
            throw XLSXFailure.error("sheet '\(sheet.name)' has no worksheet part in the zip", object: object.uri)
        }
        // Refuse a bomb before reading anything else.
        try ZipEntryStream.checkDeclared(entry: entry, maxBytes: limits.maxSheetBytes, limits: limits, object: object)
        var styles = CellStyles()
        if let stylesPath = workbook.stylesPath {
            styles = CellStyles(elements: try await parts.elements(of: stylesPath))
        }
        var strings = SharedStrings()
        if let stringsPath = workbook.sharedStringsPath {
            let handler = SharedStringsHandler(limits: limits)
            try await parts.parse(stringsPath, with: handler, maxBytes: limits.maxSharedStringsPartBytes)
            strings = handler.table
        }
        let handler = SheetHandler(
            strings: strings, styles: styles, date1904: workbook.date1904, limits: limits,
            sheetName: sheet.name, objectURI: object.uri)
        startStream(handler: handler)
        while handler.header == nil && !ended {
            try await parseSlice()
        }
        guard let fields = handler.header else {
            throw XLSXFailure.error("sheet '\(sheet.name)' is empty: no header row", object: object.uri)
        }
        nextStart = handler.headerPosition + 1
        let header = SourceHeader(format: .xlsx, fields: fields, dataOffset: nextStart, dataLine: handler.headerRow + 1, sheet: sheet.name)
        self.header = header
        return header
    }

    /// Continues from a checkpoint: `offset` is the position to start at.
    public mutating func seek(toOffset offset: Int64, line: Int64, sequence: Int) async throws {
        precondition(header != nil, "readHeader() first")
        self.sequence = sequence
        guard let handler else { return }
        let target = max(offset, handler.headerPosition + 1)
        if target >= nextStart {
            // Still ahead of what was returned: drop the parsed rows below the target.
            handler.skipBelow = max(handler.skipBelow, target)
            handler.builder.dropBelow(target)
        } else {
            let fresh = SheetHandler(
                strings: handler.strings, styles: handler.styles, date1904: handler.date1904, limits: limits,
                sheetName: handler.sheetName, objectURI: object.uri)
            fresh.header = handler.header
            fresh.headerRow = handler.headerRow
            fresh.headerPosition = handler.headerPosition
            fresh.skipBelow = target
            startStream(handler: fresh)
        }
        nextStart = target
    }

    /// The next batch of at most `batchRows` rows, or `nil` after the last.
    public mutating func nextBatch() async throws -> RecordBatch? {
        precondition(header != nil, "readHeader() first")
        guard let handler else { return nil }
        while handler.builder.rowCount < batchRows && !ended {
            try await parseSlice()
        }
        guard handler.builder.rowCount > 0 else { return nil }
        let rows = handler.builder.takeFirst(batchRows)
        let nextOffset = rows.positions[rows.rowCount - 1] + 1
        let batch = rows.batch(sequence: sequence, object: object, startOffset: nextStart, nextOffset: nextOffset)
        sequence += 1
        nextStart = nextOffset
        return batch
    }

    private mutating func startStream(handler: SheetHandler) {
        self.handler = handler
        parser = XMLPushParser(handler: handler, partName: sheet?.path ?? "sheet")
        pipe = InflatePipe(parts: parts!, path: sheet!.path!, maxBytes: limits.maxSheetBytes)
        chunk = []
        chunkPosition = 0
        ended = false
    }

    /// Feeds the parser the next slice of the sheet.
    private mutating func parseSlice() async throws {
        guard let parser, let pipe, let handler else { return }
        do {
            if chunkPosition == chunk.count {
                guard let next = try await pipe.next() else {
                    try parser.parse([], final: true)
                    ended = true
                    self.pipe = nil
                    return
                }
                chunk = next
                chunkPosition = 0
            }
            let end = min(chunk.count, chunkPosition + Self.parseSlice)
            let start = chunkPosition
            try chunk.withUnsafeBytes { buffer in
                try parser.parse(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            }
            chunkPosition = end
        } catch let error as XMLPartError {
            if let specific = handler.error { throw specific }
            throw XLSXFailure.error("\(error.part): \(error.reason)", object: object.uri, line: handler.rowNumber > 0 ? handler.rowNumber : nil)
        }
    }
}

extension XLSXDecoder: RecordDecoder {
    public mutating func readSourceHeader() async throws -> SourceHeader {
        try await readHeader()
    }
}
