#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// The `validate` stage: checks every mapped row the way a SEPA collector must, and marks the
/// rows that fail with one rejection per failed field.
///
/// Rules, per role (see `ValidationRole`; a role without a column is skipped):
/// - IBAN: registry, length, structure, alias check digits, mod 97, national check digits,
///   SEPA country. One IBAN failure per row, the first in that order.
/// - BIC: ISO 9362 form; its country must be the IBAN's (a territory counts as its parent).
/// - Creditor identifier: form, SEPA country, mod 97.
/// - Names: required (first and last, or split from a full name), length in characters,
///   letters of the accepted scripts.
/// - Amount: formats and symbols of `AmountParser`, minimum, maximum; currency in the list.
/// - Dates: the configured formats, real days, mandate and birth dates not in the future.
/// - Email syntax; broken encoding in the configured text columns.
///
/// The stage reads values in the arena as bytes; it builds Strings only for messages of rejected
/// rows. Normalised values (compact IBAN and BIC, `1234.56`, `YYYY-MM-DD`, upper-case currency,
/// the country from the IBAN) are appended to the arena only when they differ from the input; a
/// name split from a full name points at the full name's bytes.
///
/// An empty value of a required column that the column mapper already rejected
/// (`iban.required`) is not reported again. Rows that the decoder rejected, which were never
/// mapped, are skipped.
public struct ValidationStage: Stage {
    /// `validate`, for logs and errors.
    public var name: StageName { .validate }

    /// Canonical column names in the order of the batch's value table.
    public let columns: [String]
    /// The field rules in force.
    public let rules: ValidationRules
    /// The day against which mandate and birth dates are checked.
    public let today: CalendarDate

    let layout: ColumnLayout
    let dateParser: DateParser
    /// `rules.required`; looked up only for empty values.
    let requiredRoles: Set<ValidationRole>
    let nameRequired: Bool
    let scriptBits: UInt8
    /// Accepted currency codes as bytes.
    let currencies: [[UInt8]]

    /// - Parameters:
    ///   - columns: the pipeline's canonical columns, in value-table order.
    ///   - rules: the field rules; the defaults are the operator's.
    ///   - today: the date "in the future" is measured against; today in UTC by default.
    public init(columns: [String], rules: ValidationRules = ValidationRules(), today: CalendarDate = .today()) {
        self.columns = columns
        self.rules = rules
        self.today = today
        self.layout = ColumnLayout(columns: columns, rules: rules)
        self.requiredRoles = rules.required
        self.nameRequired = rules.required.contains(.name)
        self.dateParser = DateParser(formats: rules.dateFormats)
        self.scriptBits = rules.nameScripts.reduce(0) { $0 | $1.bit }
        self.currencies = rules.currencies.map { Array($0.uppercased().utf8) }
    }

    /// Validates `batch` in place; see `validate(_:)`.
    public func process(_ batch: inout RecordBatch) async throws {
        try validate(&batch)
    }

    /// The synchronous body of `process`, for callers outside an async context.
    ///
    /// - Throws: `SluiceError` (`internal`) when the batch was not mapped onto `columns`: a
    ///   pipeline wiring error, which must not pass rows unchecked.
    public func validate(_ batch: inout RecordBatch) throws {
        guard batch.rowCount > 0 else { return }
        let columnCount = batch.columnCount
        guard columnCount == columns.count, columnCount > 0 else {
            throw SluiceError(
                .internalError,
                "the validate stage expects \(columns.count) mapped columns, the batch has \(columnCount)",
                stage: name,
                object: batch.object.uri
            )
        }

        // Empty required values the mapper already reported, by row * columnCount + column.
        var alreadyRequired = Set<Int>()
        for rejection in batch.rejections where rejection.code.rawValue.hasSuffix(".required") {
            if let name = rejection.column, let column = columns.firstIndex(of: name) {
                alreadyRequired.insert(Int(rejection.row) * columnCount + column)
            }
        }

        var state = BatchState()
        let rowCount = batch.rowCount
        let status = batch.status
        batch.arena.withUnsafeBufferPointer { arena in
            batch.valueStarts.withUnsafeBufferPointer { starts in
                batch.valueEnds.withUnsafeBufferPointer { ends in
                    for row in 0..<rowCount {
                        let base = row * columnCount
                        if status[row] == .rejected && !(0..<columnCount).contains(where: { starts[base + $0] != ends[base + $0] }) {
                            continue  // rejected before mapping: nothing to validate
                        }
                        let context = RowContext(row: row, base: base, arena: arena, starts: starts, ends: ends, alreadyRequired: alreadyRequired)
                        validateRow(context, &state)
                    }
                }
            }
        }
        state.apply(to: &batch, rules: rules, labels: layout.labels, columns: columns)
    }

    // MARK: - One row

    struct RowContext {
        let row: Int
        let base: Int
        let arena: UnsafeBufferPointer<UInt8>
        let starts: UnsafeBufferPointer<Int32>
        let ends: UnsafeBufferPointer<Int32>
        let alreadyRequired: Set<Int>

        @inline(__always)
        func value(_ column: Int) -> UnsafeBufferPointer<UInt8> {
            let start = Int(starts[base + column])
            let end = Int(ends[base + column])
            return UnsafeBufferPointer(rebasing: arena[start..<end])
        }

        @inline(__always)
        func start(_ column: Int) -> Int { Int(starts[base + column]) }

        func mapperReportedRequired(_ column: Int) -> Bool {
            !alreadyRequired.isEmpty && alreadyRequired.contains(base + column)
        }
    }

    /// Problems and rewrites collected while the arena is borrowed.
    struct BatchState {
        var problems: [ValidationProblem] = []
        /// Normalised values waiting to be appended to the arena.
        var scratch: [UInt8] = []
        var rewrites: [(row: Int32, column: Int32, start: Int32, end: Int32)] = []
        /// Values re-pointed at other bytes already in the arena (names split from a full name).
        var repoints: [(row: Int32, column: Int32, start: Int32, end: Int32)] = []
        /// Review codes for rows that stay accepted (names normalised).
        var flags: [ValidationProblem] = []

        mutating func add(_ row: Int, _ column: Int, _ kind: ValidationProblem.Kind) {
            problems.append(ValidationProblem(row: Int32(row), column: Int32(column), kind: kind))
        }

        mutating func flag(_ row: Int, _ column: Int, _ kind: ValidationProblem.Kind) {
            flags.append(ValidationProblem(row: Int32(row), column: Int32(column), kind: kind))
        }

        /// Keeps the bytes appended to `scratch` since `mark` as the new value, unless they equal `original`.
        mutating func rewrite(_ row: Int, _ column: Int, from mark: Int, original: UnsafeBufferPointer<UInt8>) {
            let written = scratch.count - mark
            if written == original.count && scratch.withUnsafeBufferPointer({ scratch in
                written == 0 || memcmp(scratch.baseAddress! + mark, original.baseAddress!, written) == 0
            }) {
                scratch.removeLast(written)
                return
            }
            rewrites.append((Int32(row), Int32(column), Int32(mark), Int32(scratch.count)))
        }

        func apply(to batch: inout RecordBatch, rules: ValidationRules, labels: [String], columns: [String]) {
            if !rewrites.isEmpty {
                let offset = batch.arena.count
                batch.arena.append(contentsOf: scratch)
                for rewrite in rewrites {
                    let index = Int(rewrite.row) * batch.columnCount + Int(rewrite.column)
                    batch.valueStarts[index] = Int32(offset) + rewrite.start
                    batch.valueEnds[index] = Int32(offset) + rewrite.end
                }
            }
            for repoint in repoints {
                let index = Int(repoint.row) * batch.columnCount + Int(repoint.column)
                batch.valueStarts[index] = repoint.start
                batch.valueEnds[index] = repoint.end
            }
            for problem in problems {
                let (code, message) = problem.reason(rules: rules, labels: labels)
                batch.reject(row: Int(problem.row), code: code, message: message, column: columns[Int(problem.column)])
            }
            for flag in flags {
                let (code, message) = flag.reason(rules: rules, labels: labels)
                batch.flag(row: Int(flag.row), code: code, message: message, column: columns[Int(flag.column)])
            }
        }
    }

    func validateRow(_ row: RowContext, _ state: inout BatchState) {
        // Broken encoding first: a broken name is not also reported for its characters.
        var brokenColumns: UInt64 = 0
        for check in layout.encodingChecks {
            let value = row.value(check.column)
            if !value.isEmpty && EncodingCheck.isBroken(value, allowLineBreaks: !check.isName) {
                state.add(row.row, check.column, .encodingBroken(label: check.column))
                if check.column < 64 { brokenColumns |= 1 << UInt64(check.column) }
            }
        }

        let iban = validateIBAN(row, &state)
        validateBIC(row, &state, iban: iban)
        validateCreditorId(row, &state)
        validateNames(row, &state, brokenColumns: brokenColumns)
        validateEmail(row, &state)
        validateAmount(row, &state)
        validateDate(.mandateDate, row, &state, futureIsInvalid: rules.mandateDateNotInFuture)
        validateDate(.birthDate, row, &state, futureIsInvalid: true)
    }

    /// Reports `<role>.required` for an empty value of a required role, unless the mapper did.
    private func requireValue(_ role: ValidationRole, column: Int, _ row: RowContext, _ state: inout BatchState) {
        guard requiredRoles.contains(role), !row.mapperReportedRequired(column) else { return }
        state.add(row.row, column, .required(role))
    }

    private func validateIBAN(_ row: RowContext, _ state: inout BatchState) -> IBANResult? {
        guard let column = layout.iban else { return nil }
        let value = row.value(column)
        if isBlank(value) {
            requireValue(.iban, column: column, row, &state)
            return nil
        }
        let result = IBANValidator.validate(value, nationalCheck: rules.nationalCheckDigits)
        guard result.isValid else {
            state.add(row.row, column, .iban(result))
            return nil
        }
        if rules.sepaOnly && !result.isSEPA {
            state.add(row.row, column, .ibanNotSEPA(result))
        }
        if !result.isCompact {
            let mark = state.scratch.count
            IBANValidator.appendCompact(value, to: &state.scratch)
            state.rewrite(row.row, column, from: mark, original: value)
        }
        if rules.fillCountryFromIBAN, let countryColumn = layout.country, isBlank(row.value(countryColumn)) {
            let mark = state.scratch.count
            state.scratch.append(result.countryBytes.0)
            state.scratch.append(result.countryBytes.1)
            state.rewrite(row.row, countryColumn, from: mark, original: row.value(countryColumn))
        }
        return result
    }

    private func validateBIC(_ row: RowContext, _ state: inout BatchState, iban: IBANResult?) {
        guard let column = layout.bic else { return }
        let value = row.value(column)
        if isBlank(value) {
            requireValue(.bic, column: column, row, &state)
            return
        }
        let result = BICValidator.validate(value)
        guard result.isValid else {
            state.add(row.row, column, .bic(result))
            return
        }
        if let iban, !result.matches(iban) {
            state.add(row.row, column, .bicCountryMismatch)
        }
        if !result.isCompact {
            let mark = state.scratch.count
            BICValidator.appendCompact(value, to: &state.scratch)
            state.rewrite(row.row, column, from: mark, original: value)
        }
    }

    private func validateCreditorId(_ row: RowContext, _ state: inout BatchState) {
        guard let column = layout.creditorId else { return }
        let value = row.value(column)
        if isBlank(value) {
            requireValue(.creditorId, column: column, row, &state)
            return
        }
        let problem = CreditorIdentifierValidator.validate(value)
        if problem != .none { state.add(row.row, column, .creditorId(problem)) }
    }

    private func validateNames(_ row: RowContext, _ state: inout BatchState, brokenColumns: UInt64) {
        let firstColumn = layout.firstName
        let lastColumn = layout.lastName
        let fullColumn = layout.fullName
        guard firstColumn != nil || lastColumn != nil || fullColumn != nil else { return }
        func isBroken(_ column: Int) -> Bool { column < 64 && brokenColumns & (1 << UInt64(column)) != 0 }

        var haveFirst = false
        var haveLast = false
        if let column = firstColumn {
            let value = row.value(column)
            if !isBlank(value) {
                haveFirst = true
                if !isBroken(column) {
                    checkName(value, role: .firstName, column: column, limit: rules.nameMaxLength, allowComma: false, row, &state)
                }
            }
        }
        if let column = lastColumn {
            let value = row.value(column)
            if !isBlank(value) {
                haveLast = true
                if !isBroken(column) {
                    checkName(value, role: .lastName, column: column, limit: rules.nameMaxLength, allowComma: false, row, &state)
                }
            }
        }

        if let fullColumn, !(haveFirst && haveLast) {
            let value = row.value(fullColumn)
            if !isBlank(value) {
                var fullNameOK = true
                var normalised: Range<Int>?
                if !isBroken(fullColumn) {
                    (fullNameOK, normalised) = checkName(value, role: .name, column: fullColumn, limit: rules.fullNameMaxLength, allowComma: true, row, &state)
                }
                // A normalised full name is split from its new bytes (a rare copy), which the
                // parts are then written from; otherwise the parts point into the input.
                let source = normalised.map { Array(state.scratch[$0]) }
                func split(_ name: UnsafeBufferPointer<UInt8>) {
                    let (first, last) = FullNameSplitter.split(name)
                    let valueStart = row.start(fullColumn)
                    func take(_ role: ValidationRole, _ column: Int?, _ part: Range<Int>) {
                        if fullNameOK && NameCheck.characterCount(UnsafeBufferPointer(rebasing: name[part])) > rules.nameMaxLength {
                            state.add(row.row, column ?? fullColumn, .nameTooLong(role, limit: rules.nameMaxLength))
                        }
                        guard let column else { return }
                        if source != nil {
                            let mark = state.scratch.count
                            state.scratch.append(contentsOf: name[part])
                            state.rewrites.append((Int32(row.row), Int32(column), Int32(mark), Int32(state.scratch.count)))
                        } else {
                            state.repoints.append((Int32(row.row), Int32(column), Int32(valueStart + part.lowerBound), Int32(valueStart + part.upperBound)))
                        }
                    }
                    if !haveFirst && !first.isEmpty {
                        haveFirst = true
                        take(.firstName, firstColumn, first)
                    }
                    if !haveLast && !last.isEmpty {
                        haveLast = true
                        take(.lastName, lastColumn, last)
                    }
                }
                if let source {
                    source.withUnsafeBufferPointer(split)
                } else {
                    split(value)
                }
            } else if firstColumn == nil && lastColumn == nil {
                requireValue(.name, column: fullColumn, row, &state)
                return
            }
        }

        guard !(haveFirst && haveLast), nameRequired else { return }
        let missingFirst = !haveFirst && (firstColumn != nil || fullColumn != nil)
        let missingLast = !haveLast && (lastColumn != nil || fullColumn != nil)
        guard missingFirst || missingLast else { return }
        let reported = [firstColumn, lastColumn, fullColumn].contains { $0.map(row.mapperReportedRequired) ?? false }
        guard !reported else { return }
        let column = missingFirst ? (firstColumn ?? fullColumn ?? 0) : (lastColumn ?? fullColumn ?? 0)
        state.add(row.row, column, .nameRequired(missingFirst: missingFirst, missingLast: missingLast))
    }

    /// Length and characters of one name: `ok` is `false` when it failed either.
    ///
    /// Under `characters: normalise`, a name with characters outside the set is rewritten
    /// (`NameNormalizer`) and flagged `<role>.normalised`; `normalised` is then where its new
    /// bytes are in the scratch, and the length is that of the new name. A name with no letter
    /// left is rejected as under `reject`.
    @discardableResult
    private func checkName(
        _ value: UnsafeBufferPointer<UInt8>, role: ValidationRole, column: Int, limit: Int, allowComma: Bool, _ row: RowContext,
        _ state: inout BatchState
    ) -> (ok: Bool, normalised: Range<Int>?) {
        var ok = true
        var normalised: Range<Int>?
        if NameCheck.hasInvalidCharacters(value, scriptBits: scriptBits, allowComma: allowComma) {
            let mark = state.scratch.count
            if rules.nameCharacters == .normalise,
               NameNormalizer.append(value, scriptBits: scriptBits, allowComma: allowComma, to: &state.scratch) {
                normalised = mark..<state.scratch.count
                state.rewrites.append((Int32(row.row), Int32(column), Int32(mark), Int32(state.scratch.count)))
                state.flag(row.row, column, .nameNormalised(role))
            } else {
                state.scratch.removeLast(state.scratch.count - mark)
                state.add(row.row, column, .nameInvalidCharacters(role))
                ok = false
            }
        }
        let length = normalised.map { range in state.scratch.withUnsafeBufferPointer { NameCheck.characterCount(UnsafeBufferPointer(rebasing: $0[range])) } }
            ?? NameCheck.characterCount(value)
        if length > limit {
            state.add(row.row, column, .nameTooLong(role, limit: limit))
            ok = false
        }
        return (ok, normalised)
    }

    private func validateEmail(_ row: RowContext, _ state: inout BatchState) {
        guard let column = layout.email else { return }
        let value = row.value(column)
        if isBlank(value) {
            requireValue(.email, column: column, row, &state)
        } else if !EmailValidator.isValid(value) {
            state.add(row.row, column, .emailFormat)
        }
    }

    private func validateAmount(_ row: RowContext, _ state: inout BatchState) {
        var symbolCurrency: String?
        if let column = layout.amount {
            let value = row.value(column)
            if isBlank(value) {
                requireValue(.amount, column: column, row, &state)
            } else {
                switch AmountParser.parse(value, ambiguous: rules.ambiguousSeparator) {
                case .failure(let failure):
                    state.add(row.row, column, .amountFormat(ambiguous: failure == .ambiguous))
                case .success(let amount):
                    symbolCurrency = amount.symbolCurrency
                    if amount.cents < rules.minimumAmountCents {
                        state.add(row.row, column, .amountMin)
                    } else if amount.cents > rules.maximumAmountCents {
                        state.add(row.row, column, .amountMax)
                    } else {
                        let mark = state.scratch.count
                        ParsedAmount.appendNormalized(cents: amount.cents, to: &state.scratch)
                        state.rewrite(row.row, column, from: mark, original: value)
                    }
                }
            }
        }

        guard let column = layout.currency else {
            if let symbolCurrency, !isAccepted(symbolCurrency.utf8) {
                state.add(row.row, layout.amount ?? 0, .currencyUnsupported)
            }
            return
        }
        let value = row.value(column)
        let trimmed = UnsafeBufferPointer(rebasing: value[UTF8Decoding.trimmed(value)])
        if trimmed.isEmpty {
            if symbolCurrency == nil && requiredRoles.contains(.currency) {
                requireValue(.currency, column: column, row, &state)
                return
            }
            // An empty currency is the amount symbol's, or the pipeline's first.
            let effective: [UInt8] = symbolCurrency.map { Array($0.utf8) } ?? (currencies.first ?? [])
            guard !effective.isEmpty else { return }
            guard isAccepted(effective) else {
                state.add(row.row, column, .currencyUnsupported)
                return
            }
            let mark = state.scratch.count
            state.scratch.append(contentsOf: effective)
            state.rewrite(row.row, column, from: mark, original: value)
            return
        }
        let mark = state.scratch.count
        for byte in trimmed { state.scratch.append(byte >= 0x61 && byte <= 0x7A ? byte & 0xDF : byte) }
        let code = state.scratch[mark...]
        if !isAccepted(code) {
            state.scratch.removeLast(state.scratch.count - mark)
            state.add(row.row, column, .currencyUnsupported)
            return
        }
        if let symbolCurrency, !code.elementsEqual(symbolCurrency.utf8) {
            state.scratch.removeLast(state.scratch.count - mark)
            state.add(row.row, column, .currencyMismatch)
            return
        }
        state.rewrite(row.row, column, from: mark, original: value)
    }

    private func isAccepted<Code: Sequence<UInt8>>(_ code: Code) -> Bool {
        currencies.contains { $0.elementsEqual(code) }
    }

    private func validateDate(_ role: ValidationRole, _ row: RowContext, _ state: inout BatchState, futureIsInvalid: Bool) {
        guard let column = role == .mandateDate ? layout.mandateDate : layout.birthDate else { return }
        let value = row.value(column)
        if isBlank(value) {
            requireValue(role, column: column, row, &state)
            return
        }
        guard let date = dateParser.parse(value) else {
            state.add(row.row, column, .dateInvalid(role))
            return
        }
        if futureIsInvalid && date > today {
            state.add(row.row, column, .dateFuture(role))
            return
        }
        let mark = state.scratch.count
        date.appendISO(to: &state.scratch)
        state.rewrite(row.row, column, from: mark, original: value)
    }

    @inline(__always)
    private func isBlank(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in value where !UTF8Decoding.isSpace(byte) { return false }
        return true
    }
}
