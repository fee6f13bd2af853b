import SluiceCore

/// What a workbook says about itself: its sheets in order, their parts, the date system and
/// where shared strings and styles live. Read from `workbook.xml` and its relationships.
struct Workbook: Sendable {
    struct Sheet: Sendable, Hashable {
        var name: String
        /// `visible`, `hidden` or `veryHidden`.
        var state: String
        /// The part's path inside the zip, or `nil` when it is not a worksheet (a chart sheet).
        var path: String?
        var isVisible: Bool { state != "hidden" && state != "veryHidden" }
    }

    var sheets: [Sheet]
    var date1904: Bool
    var sharedStringsPath: String?
    var stylesPath: String?

    /// Reads the workbook description; refuses zips that are not Excel workbooks.
    static func read(zip: ZipDirectory, parts: WorkbookParts) async throws -> Workbook {
        let object = parts.object
        guard zip.entry("[Content_Types].xml") != nil else {
            throw XLSXFailure.error("the file is a zip archive but not an Excel workbook (no [Content_Types].xml)", object: object.uri)
        }
        var workbookPath = "xl/workbook.xml"
        if zip.entry("_rels/.rels") != nil {
            let rels = try await parts.elements(of: "_rels/.rels")
            for element in rels where element.name == "Relationship" {
                if let type = element.attributes["Type"], type.hasSuffix("/officeDocument"), let target = element.attributes["Target"] {
                    workbookPath = try resolve(target, base: "", object: object)
                }
            }
        }
        guard zip.entry(workbookPath) != nil else {
            throw XLSXFailure.error("the file is a zip archive but not an Excel workbook (no \(workbookPath))", object: object.uri)
        }
        let slash = workbookPath.lastIndex(of: "/")
        let base = slash.map { String(workbookPath[...$0]) } ?? ""
        let fileName = slash.map { String(workbookPath[workbookPath.index(after: $0)...]) } ?? workbookPath
        let relsPath = base + "_rels/" + fileName + ".rels"

        var targets: [String: (type: String, path: String)] = [:]
        var sharedStrings: String?
        var styles: String?
        if zip.entry(relsPath) != nil {
            for element in try await parts.elements(of: relsPath) where element.name == "Relationship" {
                guard let id = element.attributes["Id"], let type = element.attributes["Type"], let target = element.attributes["Target"],
                      element.attributes["TargetMode"] != "External" else { continue }
                let path = try resolve(target, base: base, object: object)
                targets[id] = (type, path)
                if type.hasSuffix("/sharedStrings") { sharedStrings = path }
                if type.hasSuffix("/styles") { styles = path }
            }
        }
        var sheets: [Sheet] = []
        var date1904 = false
        for element in try await parts.elements(of: workbookPath) {
            switch element.name {
            case "workbookPr":
                let value = element.attributes["date1904"]?.lowercased()
                date1904 = value == "1" || value == "true"
            case "sheet":
                let name = element.attributes["name"] ?? "Sheet\(sheets.count + 1)"
                let target = element.attributes["id"].flatMap { targets[$0] }
                let path = target.flatMap { $0.type.hasSuffix("/worksheet") ? $0.path : nil }
                sheets.append(Sheet(name: name, state: element.attributes["state"] ?? "visible", path: path))
            default:
                continue
            }
        }
        guard !sheets.isEmpty else {
            throw XLSXFailure.error("the workbook has no sheets", object: object.uri)
        }
        // Writers that skip the relationships part still use the conventional names.
        if sharedStrings == nil, zip.entry(base + "sharedStrings.xml") != nil { sharedStrings = base + "sharedStrings.xml" }
        if styles == nil, zip.entry(base + "styles.xml") != nil { styles = base + "styles.xml" }
        return Workbook(sheets: sheets, date1904: date1904, sharedStringsPath: sharedStrings, stylesPath: styles)
    }

    /// The sheet `selector` names (a name, else a 1-based index), or the first visible sheet.
    func sheet(_ selector: String?, object: String) throws -> Sheet {
        let names = sheets.map(\.name).joined(separator: ", ")
        guard let selector else {
            guard let first = sheets.first(where: { $0.isVisible && $0.path != nil }) else {
                throw XLSXFailure.error("the workbook has no visible worksheet (sheets: \(names))", object: object)
            }
            return first
        }
        let found = sheets.first(where: { $0.name == selector })
            ?? sheets.first(where: { $0.name.lowercased() == selector.lowercased() })
            ?? Int(selector).flatMap { $0 >= 1 && $0 <= sheets.count ? sheets[$0 - 1] : nil }
        guard let found else {
            throw XLSXFailure.error("no sheet '\(selector)' in the workbook (sheets: \(names); or an index from 1 to \(sheets.count))", object: object)
        }
        guard found.path != nil else {
            throw XLSXFailure.error("sheet '\(found.name)' is not a worksheet (a chart sheet?)", object: object)
        }
        return found
    }

    /// A relationship target as a path inside the zip; refuses targets that climb out of it.
    static func resolve(_ target: String, base: String, object: SourceObject) throws -> String {
        var segments: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !segments.isEmpty else {
                    throw XLSXFailure.error("relationship target '\(target)' points outside the package (path traversal)", object: object.uri)
                }
                segments.removeLast()
            default: segments.append(part)
            }
        }
        return segments.joined(separator: "/")
    }
}
