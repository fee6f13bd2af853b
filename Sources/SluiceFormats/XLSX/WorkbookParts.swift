import SluiceCore

/// Reads the parts of one workbook by name, each through the zip limits.
struct WorkbookParts: Sendable {
    let source: any ByteSource
    let object: SourceObject
    let zip: ZipDirectory
    let limits: XLSXLimits

    /// A forward stream of the part's uncompressed bytes.
    func stream(of name: String, maxBytes: Int64) async throws -> ZipEntryStream {
        guard let entry = zip.entry(name) else {
            throw XLSXFailure.error("the workbook has no part \(name)", object: object.uri)
        }
        return try await ZipEntryStream(source: source, object: object, entry: entry, maxBytes: maxBytes, limits: limits)
    }

    /// Streams the part through `handler` with libxml2's push parser, inflating in a
    /// separate task (shared strings can be hundreds of MB).
    func parse(_ name: String, with handler: XMLHandler, maxBytes: Int64) async throws {
        guard let entry = zip.entry(name) else {
            throw XLSXFailure.error("the workbook has no part \(name)", object: object.uri)
        }
        try ZipEntryStream.checkDeclared(entry: entry, maxBytes: maxBytes, limits: limits, object: object)
        let pipe = InflatePipe(parts: self, path: name, maxBytes: maxBytes)
        let parser = XMLPushParser(handler: handler, partName: name)
        do {
            while let chunk = try await pipe.next() {
                try parser.parse(chunk)
            }
            try parser.parse([], final: true)
        } catch let error as XMLPartError {
            throw XLSXFailure.error("\(error.part): \(error.reason)", object: object.uri)
        }
    }

    /// The elements of a small part.
    func elements(of name: String) async throws -> [XMLElementCollector.Element] {
        let collector = XMLElementCollector()
        try await parse(name, with: collector, maxBytes: limits.maxSmallPartBytes)
        return collector.elements
    }
}
