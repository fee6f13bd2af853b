/// Where each role's column sits in the batch's value table, resolved once per stage, so that
/// the per-row code reads plain integers instead of looking roles up.
struct ColumnLayout: Sendable, Hashable {
    let iban: Int?
    let bic: Int?
    let amount: Int?
    let currency: Int?
    let firstName: Int?
    let lastName: Int?
    let fullName: Int?
    let email: Int?
    let mandateDate: Int?
    let birthDate: Int?
    let country: Int?
    let creditorId: Int?
    /// Columns checked for broken encoding, and whether each is a name (no control characters at all).
    let encodingChecks: [EncodingColumn]
    /// How messages name each column: the role's label, or the column name made readable.
    let labels: [String]

    struct EncodingColumn: Sendable, Hashable {
        let column: Int
        let isName: Bool
    }

    init(columns: [String], rules: ValidationRules) {
        func find(_ role: ValidationRole) -> Int? { columns.firstIndex(of: rules.column(for: role)) }
        iban = find(.iban)
        bic = find(.bic)
        amount = find(.amount)
        currency = find(.currency)
        firstName = find(.firstName)
        lastName = find(.lastName)
        fullName = find(.name)
        email = find(.email)
        mandateDate = find(.mandateDate)
        birthDate = find(.birthDate)
        country = find(.country)
        creditorId = find(.creditorId)

        let nameColumns = Set([firstName, lastName, fullName].compactMap { $0 })
        var seen = Set<Int>()
        encodingChecks = rules.encodingColumns.compactMap { name in
            guard let column = columns.firstIndex(of: name), seen.insert(column).inserted else { return nil }
            return EncodingColumn(column: column, isName: nameColumns.contains(column))
        }
        var labels = columns.map { name -> String in
            let words = String(name.map { $0 == "_" ? " " : $0 })
            return words.prefix(1).uppercased() + words.dropFirst()
        }
        for role in ValidationRole.allCases {
            if let column = columns.firstIndex(of: rules.column(for: role)) { labels[column] = role.label }
        }
        self.labels = labels
    }
}
