import Foundation

/// Writes minimal .xlsx workbooks (stored, uncompressed zip entries) from sheet XML, so tests
/// can make sheets no spreadsheet program would write: rows numbered downwards, repeated or
/// zero row numbers, blank rows.
public enum TinyWorkbook {
    static let namespace = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#

    /// A `<row>` element with inline-string cells in columns A, B, C, …; `r` is written as given
    /// (`nil` leaves it out). Empty texts leave their cell out.
    public static func row(_ r: String?, _ cells: [String]) -> String {
        var xml = r.map { #"<row r="\#($0)">"# } ?? "<row>"
        for (index, text) in cells.enumerated() where !text.isEmpty {
            let column = String(UnicodeScalar(UInt8(65 + index)))
            // Cell references carry the row number only when it is one.
            let reference = r.flatMap { $0.allSatisfy(\.isNumber) ? column + $0 : nil } ?? column
            let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            xml += #"<c r="\#(reference)" t="inlineStr"><is><t>\#(escaped)</t></is></c>"#
        }
        return xml + "</row>"
    }

    /// The bytes of a workbook with one sheet holding `rows` (`<row>` elements).
    public static func bytes(rows: [String]) -> [UInt8] {
        let sheet = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet \#(namespace)><sheetData>\#(rows.joined())</sheetData></worksheet>"#
        let entries: [(String, String)] = [
            ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
            ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook \#(namespace)><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        return storedZip(entries.map { ($0.0, Array($0.1.utf8)) })
    }

    /// Writes the workbook to a new file in the temporary directory and returns its path.
    public static func write(rows: [String], name: String = "tiny") throws -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8)).xlsx"
        try Data(bytes(rows: rows)).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: - Zip

    static func storedZip(_ entries: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let offset = UInt32(out.count)
            let crc = crc32(data)
            let nameBytes = Array(name.utf8)
            var local: [UInt8] = []
            local.le32(0x0403_4B50); local.le16(20); local.le16(0); local.le16(0); local.le16(0); local.le16(0)
            local.le32(crc); local.le32(UInt32(data.count)); local.le32(UInt32(data.count))
            local.le16(UInt16(nameBytes.count)); local.le16(0)
            out += local + nameBytes + data
            central.le32(0x0201_4B50); central.le16(20); central.le16(20); central.le16(0); central.le16(0); central.le16(0); central.le16(0)
            central.le32(crc); central.le32(UInt32(data.count)); central.le32(UInt32(data.count))
            central.le16(UInt16(nameBytes.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0); central.le32(0)
            central.le32(offset)
            central += nameBytes
        }
        let directoryOffset = UInt32(out.count)
        out += central
        out.le32(0x0605_4B50); out.le16(0); out.le16(0); out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count)); out.le32(directoryOffset); out.le16(0)
        return out
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}

extension [UInt8] {
    fileprivate mutating func le16(_ value: UInt16) { append(UInt8(value & 0xFF)); append(UInt8(value >> 8)) }
    fileprivate mutating func le32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
}
