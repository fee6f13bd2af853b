/// Which cell styles show numbers as dates, from `styles.xml`: per `cellXfs` index, the
/// `DateKind` of its number format.
struct CellStyles: Sendable {
    var kinds: [DateKind] = []

    @inline(__always)
    func kind(ofStyle index: Int) -> DateKind {
        index < kinds.count ? kinds[index] : .none
    }

    init(kinds: [DateKind] = []) {
        self.kinds = kinds
    }

    init(elements: [XMLElementCollector.Element]) {
        var customFormats: [Int: String] = [:]
        for element in elements where element.name == "numFmt" {
            if let id = element.attributes["numFmtId"].flatMap({ Int($0) }), let code = element.attributes["formatCode"] {
                customFormats[id] = code
            }
        }
        for element in elements where element.name == "xf" && element.parent == "cellXfs" {
            let id = element.attributes["numFmtId"].flatMap { Int($0) } ?? 0
            kinds.append(customFormats[id].map(Self.kind(ofFormatCode:)) ?? Self.builtInKind(id))
        }
    }

    /// Built-in formats 14–22 and 45–47 are dates and times.
    static func builtInKind(_ id: Int) -> DateKind {
        switch id {
        case 14...17: return .date
        case 18...21, 45...47: return .time
        case 22: return .dateTime
        default: return .none
        }
    }

    /// A custom format is a date when its code, outside quoted text, escapes and `[...]`
    /// sections (colours, locales, conditions), has d, m, y, h or s.
    static func kind(ofFormatCode code: String) -> DateKind {
        var hasDay = false, hasMonthOrMinute = false, hasTime = false
        // Only the first section (positive numbers) decides.
        var inQuote = false, skipNext = false, inBracket = false
        var bracket = ""
        for character in code.lowercased() {
            if skipNext { skipNext = false; continue }
            if inQuote { if character == "\"" { inQuote = false }; continue }
            if inBracket {
                if character == "]" {
                    inBracket = false
                    // Elapsed time: [h], [mm], [ss].
                    if !bracket.isEmpty, bracket.allSatisfy({ "hms".contains($0) }) { hasTime = true }
                } else {
                    bracket.append(character)
                }
                continue
            }
            switch character {
            case "\"": inQuote = true
            case "\\", "_", "*": skipNext = true
            case "[": inBracket = true; bracket = ""
            case ";": break
            case "d", "y": hasDay = true
            case "m": hasMonthOrMinute = true
            case "h", "s": hasTime = true
            default: continue
            }
            if character == ";" { break }
        }
        if hasTime { return hasDay ? .dateTime : .time }
        return hasDay || hasMonthOrMinute ? .date : .none
    }
}
