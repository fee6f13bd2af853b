import SluiceCore

/// How the values of one typed column are checked and written canonically: the parser of its
/// `ColumnType`, resolved once per stage.
struct ColumnCast: Sendable {
    enum Parser: Sendable {
        case integer
        case numeric(NumericCast)
        case date(DateCast)
        case timestamp
        case boolean
        case iban(nationalCheck: Bool)
        case bic
        case email
    }

    /// Index of the column in the batch's value table.
    let column: Int
    let name: String
    let type: ColumnType
    let parser: Parser
    /// `<column>.type`.
    let code: ReasonCode

    /// `nil` for a `text` column, which takes any value as it is.
    init?(column: Int, spec: ColumnSpec, rules: ValidationRules) {
        switch spec.type {
        case .text: return nil
        case .integer: parser = .integer
        case .numeric(let precision, let scale): parser = .numeric(NumericCast(precision: precision, scale: scale))
        case .date: parser = .date(DateCast(parser: DateParser(formats: rules.dateFormats)))
        case .timestamp: parser = .timestamp
        case .boolean: parser = .boolean
        case .iban: parser = .iban(nationalCheck: rules.nationalCheckDigits)
        case .bic: parser = .bic
        case .email: parser = .email
        }
        self.column = column
        self.name = spec.name
        self.type = spec.type
        self.code = .type(column: spec.name)
    }

    /// Checks `value` (trimmed, not empty), and appends its canonical form to `output` when it
    /// is not canonical already.
    @inline(__always)
    func cast(_ value: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> CastOutcome {
        switch parser {
        case .integer:
            return IntegerCast.cast(value, to: &output)
        case .numeric(let numeric):
            return numeric.cast(value, to: &output)
        case .date(let date):
            return date.cast(value, to: &output)
        case .timestamp:
            return TimestampCast.cast(value, to: &output)
        case .boolean:
            return BooleanCast.cast(value, to: &output)
        case .iban(let nationalCheck):
            let result = IBANValidator.validate(value, nationalCheck: nationalCheck)
            guard result.isValid else { return .misfit }
            if result.isCompact { return .canonical }
            IBANValidator.appendCompact(value, to: &output)
            return .appended
        case .bic:
            let result = BICValidator.validate(value)
            guard result.isValid else { return .misfit }
            if result.isCompact { return .canonical }
            BICValidator.appendCompact(value, to: &output)
            return .appended
        case .email:
            // An address is kept as written, only trimmed.
            return EmailValidator.isValid(value) ? .canonical : .misfit
        }
    }

    /// The message of a value that does not fit: `amount '12,5x' does not fit numeric(12,2)`.
    /// An IBAN is masked, and a long value cut short.
    func misfitMessage(_ value: some Collection<UInt8>) -> String {
        var text = String(decoding: value, as: UTF8.self)
        if type == .iban { text = IBANMask.mask(text) }
        if text.count > Self.shownCharacters { text = String(text.prefix(Self.shownCharacters)) + "…" }
        return "\(name) '\(text)' does not fit \(type.declaration)"
    }

    /// How much of a value a message shows.
    static let shownCharacters = 40
}
