import SluiceCore

/// Collects the spans the scanner finds for one batch, before the batch is cut.
struct CSVBatchBuilder {
    static let flagNonASCII: UInt8 = 1
    static let flagNul: UInt8 = 2
    static let flagStrayQuote: UInt8 = 4
    static let flagUnterminated: UInt8 = 8
    static let flagTooLong: UInt8 = 16

    var fieldStarts: [Int32] = []
    var fieldEnds: [Int32] = []
    var rowFieldBase: [Int32] = [0]
    var rawStarts: [Int32] = []
    var rawEnds: [Int32] = []
    var lines: [Int64] = []
    var offsets: [Int64] = []
    var flags: [UInt8] = []
    /// Indices of fields with doubled quotes, to unescape when the batch is cut.
    var escapedFields: [Int32] = []

    /// The arena index and source offset of the start of the current contiguous segment:
    /// `offset(i) = segmentSourceOffset + (i - segmentArenaStart)`.
    var segmentArenaStart = 0
    var segmentSourceOffset: Int64 = 0

    init(expectedRows: Int, expectedFields: Int) {
        fieldStarts.reserveCapacity(expectedRows * expectedFields)
        fieldEnds.reserveCapacity(expectedRows * expectedFields)
        rowFieldBase.reserveCapacity(expectedRows + 1)
        rawStarts.reserveCapacity(expectedRows)
        rawEnds.reserveCapacity(expectedRows)
        lines.reserveCapacity(expectedRows)
        offsets.reserveCapacity(expectedRows)
        flags.reserveCapacity(expectedRows)
    }

    var rowCount: Int { rawStarts.count }

    @inline(__always)
    mutating func addField(start: Int, end: Int, escaped: Bool) {
        if escaped { escapedFields.append(Int32(fieldStarts.count)) }
        fieldStarts.append(Int32(truncatingIfNeeded: start))
        fieldEnds.append(Int32(truncatingIfNeeded: end))
    }

    @inline(__always)
    mutating func endRecord(rawStart: Int, rawEnd: Int, line: Int64, flags recordFlags: UInt8) {
        rowFieldBase.append(Int32(truncatingIfNeeded: fieldStarts.count))
        rawStarts.append(Int32(truncatingIfNeeded: rawStart))
        rawEnds.append(Int32(truncatingIfNeeded: rawEnd))
        lines.append(line)
        offsets.append(sourceOffset(ofArenaIndex: rawStart))
        flags.append(recordFlags)
    }

    @inline(__always)
    func sourceOffset(ofArenaIndex index: Int) -> Int64 {
        segmentSourceOffset + Int64(index - segmentArenaStart)
    }

    /// Drops the fields of a record that was begun but will not be ended normally.
    mutating func discardOpenRecord() {
        let base = Int(rowFieldBase[rowFieldBase.count - 1])
        fieldStarts.removeSubrange(base...)
        fieldEnds.removeSubrange(base...)
        while let last = escapedFields.last, Int(last) >= base { escapedFields.removeLast() }
    }
}
