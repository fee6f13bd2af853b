/// A batch of rows as it travels through the pipeline: one byte arena plus offsets.
///
/// No row is a `String` or a dictionary. The arena holds the raw bytes of every record in
/// the batch, in source order, followed by any bytes that decoding or a stage derived
/// (unescaped quoted fields, transcoded text, normalised values). Every span is a pair of
/// `Int32` offsets into the arena.
///
/// Three tables index the arena:
/// - source fields, as the tokenizer found them (`fieldStarts`/`fieldEnds`, `rowFieldBase`);
/// - mapped values, a dense `rowCount × columnCount` table of canonical columns that the
///   column mapper fills and stages may rewrite (`valueStarts`/`valueEnds`);
/// - the raw record span and lineage of each row (`rawStarts`/`rawEnds`, `lines`, `offsets`).
///
/// Stages mark rows rejected in `status` and add a `Rejection`; they never copy row bytes.
public struct RecordBatch: Sendable {
    /// Position of this batch in its run, from 0.
    public var sequence: Int
    /// The object the rows came from.
    public var object: SourceObject

    public var arena: [UInt8]

    /// Per source field: start and end offsets in the arena.
    public var fieldStarts: [Int32]
    public var fieldEnds: [Int32]
    /// Per row: index of its first source field; `rowCount + 1` entries.
    public var rowFieldBase: [Int32]

    /// Per row: the record as it stood in the source, without its line terminator.
    public var rawStarts: [Int32]
    public var rawEnds: [Int32]
    /// Per row: the physical line where the record starts (header = line 1).
    public var lines: [Int64]
    /// Per row: its position in the source, the value checkpoints store. For CSV the absolute
    /// byte offset where the record starts; for XLSX the ordinal of the row in the sheet.
    public var offsets: [Int64]
    /// Blank lines (CSV) or blank rows (XLSX) inside this batch's span of the source. They are
    /// no records, but they are counted, so that every row of the input is accounted for:
    /// loaded, rejected, or skipped as blank.
    public var skippedRows: Int = 0

    /// Number of canonical columns in the mapped table; 0 until the batch is mapped.
    public var columnCount: Int
    /// Mapped values, row-major: value `c` of row `r` is at `r * columnCount + c`.
    public var valueStarts: [Int32]
    public var valueEnds: [Int32]

    public var status: [RowStatus]
    public var rejections: [Rejection]
    /// Review codes on rows that stay accepted (the **flagged** outcome): a close-match payee
    /// name, a name that was normalised. A flagged row goes to the target table like any
    /// accepted row; its flags are stored and counted like rejections. A flag on a row that
    /// is rejected later counts for nothing.
    public var flags: [Rejection] = []
    /// Records for other tables that commit in the batch's own transaction (a cache row, a
    /// hand-off job), so they are written exactly when the batch is.
    public var effects: [StageEffect] = []

    /// Source offset of the first byte after this batch: where the next batch starts.
    public var nextOffset: Int64
    /// Line number of the first record after this batch.
    public var nextLine: Int64
    /// Source offset where this batch started.
    public var startOffset: Int64
    /// Whether offsets are byte offsets (CSV). XLSX positions are row ordinals in the sheet,
    /// which say nothing about bytes.
    public var positionsAreBytes = true

    public init(sequence: Int, object: SourceObject, startOffset: Int64) {
        self.sequence = sequence
        self.object = object
        self.arena = []
        self.fieldStarts = []
        self.fieldEnds = []
        self.rowFieldBase = [0]
        self.rawStarts = []
        self.rawEnds = []
        self.lines = []
        self.offsets = []
        self.columnCount = 0
        self.valueStarts = []
        self.valueEnds = []
        self.status = []
        self.rejections = []
        self.nextOffset = startOffset
        self.nextLine = 1
        self.startOffset = startOffset
    }

    public var rowCount: Int { rawStarts.count }

    /// Number of source fields the tokenizer found in `row`.
    @inlinable
    public func fieldCount(ofRow row: Int) -> Int {
        Int(rowFieldBase[row + 1] - rowFieldBase[row])
    }

    /// The span of source field `field` of `row`.
    @inlinable
    public func fieldSpan(row: Int, field: Int) -> Range<Int> {
        let index = Int(rowFieldBase[row]) + field
        return Int(fieldStarts[index])..<Int(fieldEnds[index])
    }

    /// The span of mapped value `column` of `row`.
    @inlinable
    public func valueSpan(row: Int, column: Int) -> Range<Int> {
        let index = row * columnCount + column
        return Int(valueStarts[index])..<Int(valueEnds[index])
    }

    /// Points mapped value `column` of `row` at new bytes appended to the arena.
    public mutating func replaceValue<Bytes: Collection<UInt8>>(row: Int, column: Int, with bytes: Bytes) {
        let start = Int32(arena.count)
        arena.append(contentsOf: bytes)
        let index = row * columnCount + column
        valueStarts[index] = start
        valueEnds[index] = Int32(arena.count)
    }

    /// Marks `row` rejected and records why. A row may collect several rejections.
    public mutating func reject(row: Int, code: ReasonCode, message: String, column: String? = nil) {
        status[row] = .rejected
        rejections.append(Rejection(row: Int32(row), code: code, message: message, column: column))
    }

    /// Adds a review code to `row`, which stays accepted.
    public mutating func flag(row: Int, code: ReasonCode, message: String, column: String? = nil) {
        flags.append(Rejection(row: Int32(row), code: code, message: message, column: column))
    }

    /// The flags of rows that are still accepted: what counts and is stored.
    public var acceptedFlags: [Rejection] {
        flags.filter { status[Int($0.row)] == .accepted }
    }

    /// Accepted rows that carry at least one flag.
    public var flaggedCount: Int {
        Set(acceptedFlags.map(\.row)).count
    }

    public var acceptedCount: Int {
        var count = 0
        for value in status where value == .accepted { count += 1 }
        return count
    }

    public var rejectedCount: Int { rowCount - acceptedCount }

    /// Bytes of the source this batch covers; 0 when positions are not bytes.
    public var sourceByteCount: Int64 { positionsAreBytes ? nextOffset - startOffset : 0 }
}

/// Whether a row goes on to the target table.
public enum RowStatus: UInt8, Sendable {
    case accepted = 0
    case rejected = 1
}
