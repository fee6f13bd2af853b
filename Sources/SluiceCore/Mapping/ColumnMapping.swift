/// A target column of a pipeline and the file headers that may feed it.
public struct ColumnSpec: Sendable, Hashable, Codable {
    /// Canonical name, also the column name in the target table.
    public var name: String
    /// Normalised header names accepted for this column; the name itself always is.
    public var aliases: [String]
    /// A row without a value for a required column is rejected.
    public var required: Bool
    /// The declared type (`type:`); `text` when the file declares none.
    public var type: ColumnType

    public init(name: String, aliases: [String] = [], required: Bool = false, type: ColumnType = .text) {
        self.name = name
        self.aliases = aliases
        self.required = required
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case name, aliases, required, type
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        aliases = try container.decodeIfPresent([String].self, forKey: .aliases) ?? []
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
        // Specs written before columns had types.
        type = try container.decodeIfPresent(ColumnType.self, forKey: .type) ?? .text
    }
}

/// The mapping from a file's header to the pipeline's canonical columns, fixed once per object.
public struct ColumnMapping: Sendable, Hashable {
    public let columns: [ColumnSpec]
    /// For each canonical column, the index of the source field that feeds it, or `nil`.
    public let sourceIndex: [Int?]
    /// The file's header as read (not normalised).
    public let header: [String]
    /// Header cells that fed no column; their values stay in the raw row.
    public let unmappedHeaders: [String]

    /// Matches `header` to `columns`.
    ///
    /// A header cell matches a column when its normalised text equals the column's name or one
    /// of its aliases. The first matching cell wins, so a file with both `iban` and
    /// `bank_account` maps `iban`. A required column with no matching cell is an error that
    /// names the column and the headers that were there.
    public init(header: [String], columns: [ColumnSpec], object: String? = nil) throws {
        let normalized = header.map(HeaderNormalizer.normalize)
        var used = Set<Int>()
        var indices: [Int?] = []
        var missing: [String] = []
        for column in columns {
            let accepted = [HeaderNormalizer.normalize(column.name)] + column.aliases.map(HeaderNormalizer.normalize)
            var found: Int?
            for candidate in accepted {
                if let index = normalized.indices.first(where: { normalized[$0] == candidate && !used.contains($0) }) {
                    found = index
                    break
                }
            }
            if let found { used.insert(found) }
            if found == nil && column.required { missing.append(column.name) }
            indices.append(found)
        }
        guard missing.isEmpty else {
            throw SluiceError(
                .format,
                "header has no column for required field(s) \(missing.joined(separator: ", ")); found \(header.joined(separator: ", "))",
                stage: "map",
                object: object,
                line: 1
            )
        }
        self.columns = columns
        self.sourceIndex = indices
        self.header = header
        self.unmappedHeaders = header.indices.filter { !used.contains($0) }.map { header[$0] }
    }
}
