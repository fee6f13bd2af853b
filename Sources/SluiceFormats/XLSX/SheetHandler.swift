import SluiceCore

/// Receives a worksheet's SAX events for `SheetState`.
///
/// The state is one struct mutated in place through a pointer the handler owns: a callback
/// costs no exclusivity check and no retain, which at 40 million elements per 800 MB of XML
/// was a third of the parsing time.
final class SheetHandler: XMLHandler {
    let statePointer: UnsafeMutablePointer<SheetState>

    init(strings: SharedStrings, styles: CellStyles, date1904: Bool, limits: XLSXLimits, sheetName: String, objectURI: String) {
        statePointer = .allocate(capacity: 1)
        statePointer.initialize(to: SheetState(
            strings: strings, styles: styles, date1904: date1904, limits: limits, sheetName: sheetName, objectURI: objectURI))
    }

    deinit {
        statePointer.deinitialize(count: 1)
        statePointer.deallocate()
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) {
        if !statePointer.pointee.startElement(name, attributes) { stopWithError() }
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        if !statePointer.pointee.endElement(name) { stopWithError() }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if !statePointer.pointee.characters(bytes, count) { stopWithError() }
    }

    private func stopWithError() {
        stop(statePointer.pointee.error?.reason ?? "stopped")
    }

    var header: [String]? {
        get { statePointer.pointee.header }
        set { statePointer.pointee.header = newValue }
    }
    var headerRow: Int64 {
        get { statePointer.pointee.headerRow }
        set { statePointer.pointee.headerRow = newValue }
    }
    var headerPosition: Int64 {
        get { statePointer.pointee.headerPosition }
        set { statePointer.pointee.headerPosition = newValue }
    }
    var skipBelow: Int64 {
        get { statePointer.pointee.skipBelow }
        set { statePointer.pointee.skipBelow = newValue }
    }
    var builder: XLSXBatchBuilder {
        get { statePointer.pointee.builder }
        _modify { yield &statePointer.pointee.builder }
    }
    var error: SluiceError? { statePointer.pointee.error }
    var rowNumber: Int64 { statePointer.pointee.rowNumber }
    var position: Int64 { statePointer.pointee.position }
    var strings: SharedStrings { statePointer.pointee.strings }
    var styles: CellStyles { statePointer.pointee.styles }
    var date1904: Bool { statePointer.pointee.date1904 }
    var sheetName: String { statePointer.pointee.sheetName }

    static func column(ofReference reference: UnsafeBufferPointer<UInt8>) -> Int? { SheetState.column(ofReference: reference) }
    static func columnLetters(_ column: Int) -> String { SheetState.columnLetters(column) }
}

/// Turns the SAX events of a worksheet into rows of cell text in an `XLSXBatchBuilder`.
///
/// Cells are placed by their `r` reference (sparse rows and cells are normal in Excel);
/// the first non-empty row is the header. No String is made per cell or row: cell text goes
/// into a reused row buffer, then once into the batch arena.
///
/// Rows are identified by their **position**: the ordinal of the `<row>` element in the sheet
/// part (1, 2, 3, … in document order). That is what checkpoints store and what resuming
/// skips by, because it always increases, whatever the `r` attributes say: a sheet whose `r`
/// numbers run downwards, repeat or have gaps is still read once, in document order. The `r`
/// number is kept as the row's line, for messages and reports, since that is the row number
/// Excel shows.
struct SheetState {
    let strings: SharedStrings
    let styles: CellStyles
    let date1904: Bool
    let limits: XLSXLimits
    let sheetName: String
    let objectURI: String

    /// Header cells once the header row is read.
    var header: [String]?
    /// The header's row number (`r`) and position.
    var headerRow: Int64 = 0
    var headerPosition: Int64 = 0
    /// Rows at positions below this are skipped (resuming, or re-streaming after a seek).
    var skipBelow: Int64 = 0
    var builder = XLSXBatchBuilder()
    /// The error that stopped parsing, with its row and column.
    var error: SluiceError?

    /// The current row's number as Excel shows it (`r`, or one more than the last row's).
    var rowNumber: Int64 = 0
    /// The current row's position: the ordinal of its `<row>` element in the sheet.
    var position: Int64 = 0
    private var lastRowNumber: Int64 = 0
    /// The current row's `r` is outside 1…1,048,576.
    private var badRowNumber = false
    private var skippingRow = false
    private var inCell = false
    private var capturing = false
    private var phoneticDepth = 0
    private var cellColumn = 0
    private var lastCellColumn = -1
    private var cellType: CellType = .number
    private var cellStyle = 0
    private var value: [UInt8] = []

    /// The current row's non-empty cells: text back to back in `rowText`.
    private var rowText: [UInt8] = []
    private var cellColumns: [Int32] = []
    private var cellEnds: [Int32] = []
    private var cellQuoted: [Bool] = []
    private var ordered = true
    private var errorColumn = -1
    private var errorText = ""
    private var pendingQuoted: [(field: Int, start: Int, end: Int)] = []
    /// The row's cells in column order, reused from row to row.
    private var order: [Int] = []

    enum CellType: UInt8 {
        case number, shared, inline, formulaString, boolean, error, isoDate
    }

    init(strings: SharedStrings, styles: CellStyles, date1904: Bool, limits: XLSXLimits, sheetName: String, objectURI: String) {
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
        self.limits = limits
        self.sheetName = sheetName
        self.objectURI = objectURI
        value.reserveCapacity(256)
        rowText.reserveCapacity(4096)
    }

    /// Records why parsing must stop; the callers return `false` after it.
    private mutating func fail(_ reason: String, column: String? = nil) {
        error = XLSXFailure.error("sheet '\(sheetName)': \(reason)", object: objectURI, line: rowNumber, column: column)
    }

    // MARK: - SAX events

    /// Returns `false` when parsing must stop (`error` says why).
    mutating func startElement(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) -> Bool {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            startCell(attributes)
        case UInt8(ascii: "v") where name[1] == 0:
            capturing = inCell
        case UInt8(ascii: "t") where name[1] == 0:
            capturing = inCell && cellType == .inline && phoneticDepth == 0
        case UInt8(ascii: "r") where XMLName.equals(name, "row"):
            startRow(attributes)
        case UInt8(ascii: "r") where XMLName.equals(name, "rPh"):
            phoneticDepth += 1
        default:
            break
        }
        return error == nil
    }

    mutating func endElement(_ name: UnsafePointer<UInt8>) -> Bool {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            if inCell { finishCell() }
        case UInt8(ascii: "v") where name[1] == 0, UInt8(ascii: "t") where name[1] == 0:
            capturing = false
        case UInt8(ascii: "r") where XMLName.equals(name, "row"):
            finishRow()
        case UInt8(ascii: "r") where XMLName.equals(name, "rPh"):
            phoneticDepth -= 1
        default:
            break
        }
        return error == nil
    }

    mutating func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard capturing else { return true }
        if value.count + count > limits.maxCellCharacters * 4 {
            fail("cell \(Self.columnLetters(cellColumn))\(rowNumber) is longer than \(limits.maxCellCharacters) characters",
                 column: Self.columnLetters(cellColumn))
            return false
        }
        value.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        return true
    }

    // MARK: - Rows

    private mutating func startRow(_ attributes: XMLAttributes) {
        position += 1
        badRowNumber = false
        if let r = attributes.value("r") {
            if let number = CellText.parseInt(r), number >= 1, number <= Self.maxRowNumber {
                rowNumber = Int64(number)
            } else {
                badRowNumber = true
                rowNumber = lastRowNumber + 1
            }
        } else {
            rowNumber = lastRowNumber + 1
        }
        lastRowNumber = rowNumber
        skippingRow = header != nil && position < skipBelow
        rowText.removeAll(keepingCapacity: true)
        cellColumns.removeAll(keepingCapacity: true)
        cellEnds.removeAll(keepingCapacity: true)
        cellQuoted.removeAll(keepingCapacity: true)
        ordered = true
        lastCellColumn = -1
        errorColumn = -1
    }

    private mutating func startCell(_ attributes: XMLAttributes) {
        guard !skippingRow else { return }
        inCell = true
        capturing = false
        value.removeAll(keepingCapacity: true)
        cellColumn = attributes.value("r").flatMap(Self.column(ofReference:)) ?? lastCellColumn + 1
        lastCellColumn = cellColumn
        if cellColumn >= limits.maxColumns {
            return fail("row \(rowNumber) has a cell in column \(cellColumn + 1), beyond the limit of \(limits.maxColumns) columns")
        }
        cellType = .number
        if let type = attributes.value("t"), !type.isEmpty {
            switch type[0] {
            case UInt8(ascii: "s"): cellType = type.count == 1 ? .shared : .formulaString
            case UInt8(ascii: "i"): cellType = .inline
            case UInt8(ascii: "b"): cellType = .boolean
            case UInt8(ascii: "e"): cellType = .error
            case UInt8(ascii: "d"): cellType = .isoDate
            default: cellType = .number
            }
        }
        cellStyle = attributes.value("s").flatMap { CellText.parseInt($0) } ?? 0
    }

    private mutating func finishCell() {
        inCell = false
        capturing = false
        guard !value.isEmpty else { return }
        let start = rowText.count
        switch cellType {
        case .shared:
            guard let index = CellText.parseInt(value), index < strings.count else {
                return fail("cell \(Self.columnLetters(cellColumn))\(rowNumber) refers to a shared string that does not exist",
                            column: Self.columnLetters(cellColumn))
            }
            let span = strings.span(index)
            strings.bytes.withUnsafeBufferPointer { rowText.append(contentsOf: UnsafeBufferPointer(rebasing: $0[span])) }
        case .inline, .formulaString:
            CellText.decodeEscapes(&value)
            if value.count > limits.maxCellCharacters, CellText.characterCount(value) > limits.maxCellCharacters {
                return fail("cell \(Self.columnLetters(cellColumn))\(rowNumber) is longer than \(limits.maxCellCharacters) characters",
                            column: Self.columnLetters(cellColumn))
            }
            value.withUnsafeBufferPointer { rowText.append(contentsOf: $0) }
        case .boolean:
            if value == [UInt8(ascii: "1")] {
                rowText.append(contentsOf: "TRUE".utf8)
            } else if value == [UInt8(ascii: "0")] {
                rowText.append(contentsOf: "FALSE".utf8)
            } else {
                rowText.append(contentsOf: value)
            }
        case .error:
            if errorColumn < 0 {
                errorColumn = cellColumn
                errorText = String(decoding: value, as: UTF8.self)
            }
            rowText.append(contentsOf: value)
        case .isoDate:
            let kind = styles.kind(ofStyle: cellStyle)
            rowText.append(contentsOf: value.prefix(kind == .date ? 10 : 19))
        case .number:
            let kind = styles.kind(ofStyle: cellStyle)
            value.withUnsafeBufferPointer { text in
                if kind != .none, let serial = CellText.parseDouble(text),
                   CellText.appendDate(serial: serial, kind: kind, date1904: date1904, to: &rowText) {
                    return
                }
                CellText.appendNumber(text, to: &rowText)
            }
        }
        guard rowText.count > start else { return }
        if let last = cellColumns.last, Int(last) >= cellColumn { ordered = false }
        cellColumns.append(Int32(cellColumn))
        cellEnds.append(Int32(rowText.count))
        var quoted = false
        for byte in rowText[start...] where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            quoted = true
            break
        }
        cellQuoted.append(quoted)
    }

    private mutating func finishRow() {
        guard !skippingRow, error == nil else { return }
        // A seek can raise `skipBelow` while a row is half parsed.
        guard header == nil || position >= skipBelow else { return }
        guard !cellColumns.isEmpty else {
            // A blank row is no record; below the header it is counted as skipped, so the
            // run's rows still add up (positions seen = rows + blank rows).
            if header != nil { builder.skip(position: position) }
            return
        }
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: cellColumns.indices)
        if !ordered {
            // Rare: cells out of order or repeated; the last cell written for a column wins.
            order = order.sorted { (cellColumns[$0], $0) < (cellColumns[$1], $1) }
            order = order.enumerated().filter { slot, index in
                slot + 1 == order.count || cellColumns[order[slot + 1]] != cellColumns[index]
            }.map(\.element)
        }
        guard let header else {
            var fields = [String](repeating: "", count: Int(cellColumns[order.last!]) + 1)
            for index in order { fields[Int(cellColumns[index])] = String(decoding: rowText[cellRange(index)], as: UTF8.self) }
            self.header = fields
            headerRow = rowNumber
            headerPosition = position
            skipBelow = max(skipBelow, position + 1)
            return
        }
        emit(headerCount: header.count)
    }

    @inline(__always)
    private func cellRange(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : Int(cellEnds[index - 1]))..<Int(cellEnds[index])
    }

    /// Appends the row: its raw record as CSV, unquoted cells' field spans pointing into it,
    /// and a copy of each quoted cell's text.
    private mutating func emit(headerCount: Int) {
        let lastColumn = Int(cellColumns[order.last!])
        let fieldCount = max(headerCount, lastColumn + 1)
        let row = builder.rowCount
        let fieldBase = builder.fieldStarts.count
        builder.rowArenaStarts.append(Int32(builder.arena.count))
        let rawStart = builder.arena.count
        pendingQuoted.removeAll(keepingCapacity: true)
        var next = 0
        for column in 0..<fieldCount {
            if column > 0 { builder.arena.append(UInt8(ascii: ",")) }
            if next < order.count, Int(cellColumns[order[next]]) == column {
                let index = order[next]
                next += 1
                let range = cellRange(index)
                if cellQuoted[index] {
                    builder.arena.append(UInt8(ascii: "\""))
                    for byte in rowText[range] {
                        if byte == UInt8(ascii: "\"") { builder.arena.append(byte) }
                        builder.arena.append(byte)
                    }
                    builder.arena.append(UInt8(ascii: "\""))
                    pendingQuoted.append((column, range.lowerBound, range.upperBound))
                    builder.fieldStarts.append(0)
                    builder.fieldEnds.append(0)
                } else {
                    builder.fieldStarts.append(Int32(builder.arena.count))
                    // Through a buffer pointer: appending an ArraySlice retains and releases.
                    rowText.withUnsafeBufferPointer { builder.arena.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
                    builder.fieldEnds.append(Int32(builder.arena.count))
                }
            } else {
                builder.fieldStarts.append(Int32(builder.arena.count))
                builder.fieldEnds.append(Int32(builder.arena.count))
            }
        }
        builder.rawStarts.append(Int32(rawStart))
        builder.rawEnds.append(Int32(builder.arena.count))
        for quoted in pendingQuoted {
            builder.fieldStarts[fieldBase + quoted.field] = Int32(builder.arena.count)
            builder.arena.append(contentsOf: rowText[quoted.start..<quoted.end])
            builder.fieldEnds[fieldBase + quoted.field] = Int32(builder.arena.count)
        }
        builder.rowFieldBase.append(Int32(builder.fieldStarts.count))
        builder.lines.append(rowNumber)
        builder.positions.append(position)
        if badRowNumber {
            builder.rejections.append(Rejection(
                row: Int32(row), code: .xlsxRowNumber,
                message: "the row at position \(position) of sheet '\(sheetName)' has no valid row number (r must be 1 to \(Self.maxRowNumber)); it is shown as row \(rowNumber)"))
        }
        if lastColumn >= headerCount {
            builder.rejections.append(Rejection(
                row: Int32(row), code: .xlsxRagged,
                message: "expected \(headerCount) columns, found a value in column \(Self.columnLetters(lastColumn)) (sheet '\(sheetName)', row \(rowNumber))"))
        }
        if errorColumn >= 0 {
            let name = errorColumn < headerCount && !header![errorColumn].isEmpty ? header![errorColumn] : Self.columnLetters(errorColumn)
            builder.rejections.append(Rejection(
                row: Int32(row), code: .xlsxErrorCell,
                message: "cell \(Self.columnLetters(errorColumn))\(rowNumber) holds the error \(errorText) (sheet '\(sheetName)')",
                column: name))
        }
    }

    /// Excel's last row.
    static let maxRowNumber = 1_048_576

    // MARK: - References

    /// The 0-based column of a cell reference such as `B7` or `AA12`.
    @inline(__always)
    static func column(ofReference reference: UnsafeBufferPointer<UInt8>) -> Int? {
        var column = 0
        var letters = 0
        for byte in reference {
            let upper = byte & 0xDF
            guard upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(upper - UInt8(ascii: "A")) + 1
            letters += 1
            if letters > 4 { return Int.max / 2 }
        }
        return letters > 0 ? column - 1 : nil
    }

    /// `A`, `B`, … `AA` for a 0-based column.
    static func columnLetters(_ column: Int) -> String {
        var number = column + 1
        var letters: [Character] = []
        while number > 0 {
            let remainder = (number - 1) % 26
            letters.insert(Character(Unicode.Scalar(UInt8(65 + remainder))), at: 0)
            number = (number - 1) / 26
        }
        return String(letters)
    }
}
