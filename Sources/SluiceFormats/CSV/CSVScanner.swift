import SluiceCore

/// The resumable CSV state machine: it finds records and fields in an arena of source bytes.
///
/// The scanner never copies bytes. It appends field and record spans to a `CSVBatchBuilder`
/// and flags the rare records that need a second look (non-ASCII bytes, doubled quotes,
/// NUL bytes, text after a closing quote). It can stop at any byte, in the middle of a
/// quoted field or a CRLF, and continue when more bytes are appended.
struct CSVScanner {
    enum State: UInt8 {
        /// Between records: blank lines are skipped here.
        case recordStart
        /// At the start of a field inside a record.
        case fieldStart
        case unquoted
        case quoted
        /// Just after a quote inside a quoted field: a doubled quote or the closing one.
        case quoteInQuoted
        /// Just after a CR that ended a record; an LF that follows belongs to it.
        case afterCR
    }

    // Byte classes for the table lookups in the inner loops.
    static let plain: UInt8 = 0
    static let delimiterClass: UInt8 = 1
    static let quoteClass: UInt8 = 2
    static let lineFeed: UInt8 = 3
    static let carriageReturn: UInt8 = 4
    static let nul: UInt8 = 5
    static let high: UInt8 = 6

    let delimiter: UInt8
    let quote: UInt8
    /// Byte class per byte value, outside quotes.
    let classes: [UInt8]
    /// The delimiter and quote repeated in every byte of a word, for the 8-byte skip.
    let delimiterWord: UInt64
    let quoteWord: UInt64

    var state: State = .recordStart
    /// Arena index where the current record starts.
    var recordStart = 0
    var recordLine: Int64 = 1
    var fieldStart = 0
    var recordFlags: UInt8 = 0
    /// Whether the current quoted field holds a doubled quote that must be unescaped.
    var fieldHasEscapes = false
    /// Physical line of the byte at the scan position.
    var line: Int64 = 1
    /// Arena index just after the last record terminator or blank line: where the next
    /// record may start, and where a batch may be cut.
    var boundary = 0
    /// Rows in the current batch; the scanner stops at a boundary when it reaches `maxRows`.
    var rows = 0
    /// Blank lines skipped since the batch started: counted, so every line is accounted for.
    var blankLines = 0

    init(delimiter: UInt8, quote: UInt8) {
        self.delimiter = delimiter
        self.quote = quote
        var classes = [UInt8](repeating: Self.plain, count: 256)
        for byte in 0x80...0xFF { classes[byte] = Self.high }
        classes[0] = Self.nul
        classes[Int(UInt8(ascii: "\n"))] = Self.lineFeed
        classes[Int(UInt8(ascii: "\r"))] = Self.carriageReturn
        classes[Int(quote)] = Self.quoteClass
        classes[Int(delimiter)] = Self.delimiterClass
        self.classes = classes
        delimiterWord = UInt64(delimiter) &* Self.ones
        quoteWord = UInt64(quote) &* Self.ones
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080
    static let lineFeedWord = UInt64(UInt8(ascii: "\n")) &* ones
    static let carriageReturnWord = UInt64(UInt8(ascii: "\r")) &* ones

    /// The high bit of each byte of `word` that is zero. Bytes above the lowest zero byte may
    /// be flagged wrongly (borrows), but the lowest flag is always exact, and that is the one used.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highs
    }

    /// Flags, in the high bit of each byte, the bytes of `word` that are not plain ASCII
    /// field content: delimiter, quote, LF, CR, NUL, or any byte >= 0x80.
    @inline(__always)
    func specialBytes(_ word: UInt64) -> UInt64 {
        Self.zeroBytes(word ^ delimiterWord) | Self.zeroBytes(word ^ quoteWord)
            | Self.zeroBytes(word ^ Self.lineFeedWord) | Self.zeroBytes(word ^ Self.carriageReturnWord)
            | Self.zeroBytes(word) | (word & Self.highs)
    }

    var isInsideRecord: Bool {
        switch state {
        case .recordStart, .afterCR: false
        default: true
        }
    }

    /// Scans `bytes[from..<bytes.count]`. Returns the index where it stopped: `bytes.count`,
    /// or a record boundary when the batch reached `maxRows`.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, maxRows: Int, into out: inout CSVBatchBuilder) -> Int {
        classes.withUnsafeBufferPointer { table in
            scan(bytes, table: table, from: start, maxRows: maxRows, into: &out)
        }
    }

    private mutating func scan(
        _ p: UnsafeBufferPointer<UInt8>,
        table: UnsafeBufferPointer<UInt8>,
        from start: Int,
        maxRows: Int,
        into out: inout CSVBatchBuilder
    ) -> Int {
        let end = p.count
        var i = start
        while i < end {
            switch state {
            case .recordStart:
                if rows >= maxRows { return i }
                let byte = p[i]
                if byte == UInt8(ascii: "\n") {
                    // A blank line is not a record.
                    line += 1
                    blankLines += 1
                    i += 1
                    boundary = i
                    continue
                }
                if byte == UInt8(ascii: "\r") {
                    blankLines += 1
                    i += 1
                    state = .afterCR
                    continue
                }
                recordStart = i
                recordLine = line
                recordFlags = 0
                state = .fieldStart

            case .fieldStart:
                let byte = p[i]
                if byte == quote {
                    fieldStart = i + 1
                    fieldHasEscapes = false
                    state = .quoted
                    i += 1
                } else if byte == delimiter {
                    out.addField(start: i, end: i, escaped: false)
                    i += 1
                } else if byte == UInt8(ascii: "\n") {
                    out.addField(start: i, end: i, escaped: false)
                    endRecord(at: i, into: &out)
                    line += 1
                    i += 1
                    boundary = i
                    state = .recordStart
                } else if byte == UInt8(ascii: "\r") {
                    out.addField(start: i, end: i, escaped: false)
                    endRecord(at: i, into: &out)
                    i += 1
                    state = .afterCR
                } else {
                    fieldStart = i
                    state = .unquoted
                }

            case .unquoted:
                // The hot loop: most bytes are plain ASCII. Skip them eight at a time, then
                // classify the byte that stopped the skip.
                if let base = p.baseAddress {
                    while i &+ 8 <= end {
                        let special = specialBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                        if special != 0 {
                            i &+= special.trailingZeroBitCount >> 3
                            break
                        }
                        i &+= 8
                    }
                    if i == end { return i }
                }
                var cls = table[Int(p[i])]
                while cls == Self.plain {
                    i += 1
                    if i == end { return i }
                    cls = table[Int(p[i])]
                }
                switch cls {
                case Self.delimiterClass:
                    out.addField(start: fieldStart, end: i, escaped: false)
                    i += 1
                    state = .fieldStart
                case Self.lineFeed:
                    out.addField(start: fieldStart, end: i, escaped: false)
                    endRecord(at: i, into: &out)
                    line += 1
                    i += 1
                    boundary = i
                    state = .recordStart
                case Self.carriageReturn:
                    out.addField(start: fieldStart, end: i, escaped: false)
                    endRecord(at: i, into: &out)
                    i += 1
                    state = .afterCR
                case Self.high:
                    recordFlags |= CSVBatchBuilder.flagNonASCII
                    i += 1
                case Self.nul:
                    recordFlags |= CSVBatchBuilder.flagNul
                    i += 1
                default:
                    // A quote inside an unquoted field is kept as data, as most writers mean it.
                    i += 1
                }

            case .quoted:
                // Inside quotes only the quote, LF (for line numbers) and flagged bytes matter.
                while i < end {
                    let byte = p[i]
                    if byte == quote { break }
                    if byte == UInt8(ascii: "\n") {
                        line += 1
                    } else if byte >= 0x80 {
                        recordFlags |= CSVBatchBuilder.flagNonASCII
                    } else if byte == 0 {
                        recordFlags |= CSVBatchBuilder.flagNul
                    }
                    i += 1
                }
                if i == end { return i }
                i += 1
                state = .quoteInQuoted

            case .quoteInQuoted:
                let byte = p[i]
                if byte == quote {
                    // A doubled quote stands for one quote character.
                    fieldHasEscapes = true
                    state = .quoted
                    i += 1
                } else if byte == delimiter {
                    out.addField(start: fieldStart, end: i - 1, escaped: fieldHasEscapes)
                    state = .fieldStart
                    i += 1
                } else if byte == UInt8(ascii: "\n") {
                    out.addField(start: fieldStart, end: i - 1, escaped: fieldHasEscapes)
                    endRecord(at: i, into: &out)
                    line += 1
                    i += 1
                    boundary = i
                    state = .recordStart
                } else if byte == UInt8(ascii: "\r") {
                    out.addField(start: fieldStart, end: i - 1, escaped: fieldHasEscapes)
                    endRecord(at: i, into: &out)
                    i += 1
                    state = .afterCR
                } else {
                    // Text after a closing quote: the field is malformed. Keep scanning it as
                    // unquoted so the record still ends where it should.
                    recordFlags |= CSVBatchBuilder.flagStrayQuote
                    fieldStart -= 1
                    state = .unquoted
                }

            case .afterCR:
                if p[i] == UInt8(ascii: "\n") { i += 1 }
                line += 1
                boundary = i
                state = .recordStart
            }
        }
        return i
    }

    private mutating func endRecord(at terminator: Int, into out: inout CSVBatchBuilder) {
        out.endRecord(rawStart: recordStart, rawEnd: terminator, line: recordLine, flags: recordFlags)
        rows += 1
    }

    /// Ends the file: closes a record that has no final line break, and reports whether
    /// it ended inside an open quote.
    mutating func finish(at end: Int, into out: inout CSVBatchBuilder) {
        switch state {
        case .recordStart:
            break
        case .afterCR:
            line += 1
        case .fieldStart:
            out.addField(start: end, end: end, escaped: false)
            endRecord(at: end, into: &out)
        case .unquoted:
            out.addField(start: fieldStart, end: end, escaped: false)
            endRecord(at: end, into: &out)
        case .quoteInQuoted:
            out.addField(start: fieldStart, end: end - 1, escaped: fieldHasEscapes)
            endRecord(at: end, into: &out)
        case .quoted:
            recordFlags |= CSVBatchBuilder.flagUnterminated
            out.addField(start: fieldStart, end: end, escaped: fieldHasEscapes)
            endRecord(at: end, into: &out)
        }
        boundary = end
        state = .recordStart
    }
}
