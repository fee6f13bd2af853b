import SluiceCore

extension ColumnType {
    /// The type as PostgreSQL's `format_type` names it (`numeric(12,2)`, `timestamp with time
    /// zone`), to compare a declaration with a column that is already there.
    var formattedSQLType: String {
        switch self {
        case .timestamp: "timestamp with time zone"
        default: sqlType
        }
    }

    /// Whether a column of `currentType` (as `format_type` names it) takes this type's values:
    /// the same type, or `character varying` for a type stored as text (binary COPY writes
    /// text bytes, which `varchar` reads as they are).
    func fits(currentType: String) -> Bool {
        currentType == formattedSQLType || (isStoredAsText && currentType.hasPrefix("character varying"))
    }

    /// The statement that changes `column` of `table`, now of `currentType`, to this type; the
    /// `USING` reads an empty string as NULL when the column was text.
    func alterStatement(table: TableName, column: String, currentType: String) -> String {
        let quoted = TableName.quote(column)
        let using = currentType == "text" ? "nullif(btrim(\(quoted)), '')::\(sqlType)" : "\(quoted)::\(sqlType)"
        return "ALTER TABLE \(table.quoted) ALTER COLUMN \(quoted) TYPE \(sqlType) USING \(using)"
    }

    /// The error of a target table whose `column` is of another type than declared.
    func mismatch(table: TableName, column: String, currentType: String) -> SluiceError {
        let declared = declaration == formattedSQLType ? declaration : "\(declaration) (\(formattedSQLType))"
        return SluiceError(
            .invalidPipeline,
            "target table \(table): column \(column) is \(currentType) in the table but the pipeline declares \(declared); "
                + "nothing was loaded. Change the column first, for example: "
                + alterStatement(table: table, column: column, currentType: currentType),
            stage: .migrate, column: column)
    }
}
