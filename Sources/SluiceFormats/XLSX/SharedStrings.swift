/// The shared strings table in one compact arena: all strings' UTF-8 bytes back to back, and
/// where each ends. The only structure that grows with the file; its size is a limit.
struct SharedStrings: Sendable {
    var bytes: [UInt8] = []
    /// `ends[i]` is where string `i` ends; it starts where string `i - 1` ends.
    var ends: [Int32] = []

    var count: Int { ends.count }

    @inline(__always)
    func span(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
    }
}

/// Fills `SharedStrings` from `sharedStrings.xml`: plain `<si><t>` and rich-text runs
/// `<si><r><t>`, whose texts are joined; phonetic runs (`<rPh>`) are not part of the text.
final class SharedStringsHandler: XMLHandler {
    var table = SharedStrings()
    let limits: XLSXLimits
    private var inItem = false
    private var capturing = false
    private var phoneticDepth = 0
    private var current: [UInt8] = []

    init(limits: XLSXLimits) {
        self.limits = limits
        current.reserveCapacity(256)
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: XMLAttributes) {
        if XMLName.equals(name, "si") {
            inItem = true
            current.removeAll(keepingCapacity: true)
        } else if XMLName.equals(name, "t") {
            capturing = inItem && phoneticDepth == 0
        } else if XMLName.equals(name, "rPh") {
            phoneticDepth += 1
        } else if XMLName.equals(name, "sst"), let value = attributes.value("uniqueCount"), let count = CellText.parseInt(value) {
            // A hint only: capped so a lying header cannot reserve memory.
            table.ends.reserveCapacity(min(count, 1 << 20))
        }
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        if XMLName.equals(name, "t") {
            capturing = false
        } else if XMLName.equals(name, "rPh") {
            phoneticDepth -= 1
        } else if XMLName.equals(name, "si") {
            inItem = false
            CellText.decodeEscapes(&current)
            if CellText.characterCount(current) > limits.maxCellCharacters {
                return stop("shared string \(table.count + 1) is longer than \(limits.maxCellCharacters) characters")
            }
            if table.bytes.count + current.count > limits.maxSharedStringBytes {
                return stop("the shared strings take more than the limit of \(limits.maxSharedStringBytes) bytes")
            }
            if table.count >= limits.maxSharedStrings {
                return stop("more than the limit of \(limits.maxSharedStrings) shared strings")
            }
            table.bytes.append(contentsOf: current)
            table.ends.append(Int32(table.bytes.count))
        }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        guard capturing else { return }
        // Checked here too so one huge string cannot grow memory before the item ends.
        if current.count + count > limits.maxCellCharacters * 4 {
            return stop("shared string \(table.count + 1) is longer than \(limits.maxCellCharacters) characters")
        }
        current.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
    }
}
