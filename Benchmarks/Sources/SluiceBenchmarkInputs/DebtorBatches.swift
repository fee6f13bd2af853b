import SluiceCore
import SluiceFormats
import SluiceValidation

/// The canonical columns of pipelines/debtors.yaml, with their aliases, `required` flags and types.
/// Written out rather than read from the YAML, so the suites need neither the pipeline module
/// nor Yams; keep them in step with the file.
public let debtorColumns: [ColumnSpec] = [
    ColumnSpec(name: "external_id", aliases: ["external_reference", "reference", "ref", "order_id", "customer_id"], required: true),
    ColumnSpec(name: "name", aliases: ["full_name", "fullname", "customer_name", "debtor_name", "client_name", "account_holder"]),
    ColumnSpec(name: "first_name", aliases: ["firstname"]),
    ColumnSpec(name: "last_name", aliases: ["lastname", "surname"]),
    ColumnSpec(name: "email", aliases: ["e_mail", "mail"], type: .email),
    ColumnSpec(name: "iban", aliases: ["iban_number", "bank_account", "account_number"], required: true, type: .iban),
    ColumnSpec(name: "bic", aliases: ["swift", "swift_code"], type: .bic),
    ColumnSpec(name: "amount", aliases: ["sum", "total", "price"], required: true, type: .numeric(precision: 12, scale: 2)),
    ColumnSpec(name: "currency"),
    ColumnSpec(name: "mandate_id"),
    ColumnSpec(name: "mandate_date", type: .date),
    ColumnSpec(name: "address"),
    ColumnSpec(name: "city"),
    ColumnSpec(name: "postcode", aliases: ["postal_code", "zip", "zip_code"]),
    ColumnSpec(name: "country"),
]

/// The canonical column names, in value-table order.
public let debtorColumnNames = debtorColumns.map(\.name)

/// A debtor file decoded into batches once, in a suite's setup, for the stages after decoding
/// to run on. The batches are what a run hands to its stages: 16,384 rows each, as decoded
/// (`decoded`), after the column mapper (`mapped`), and after validation (`validated`).
public struct DebtorBatches: Sendable {
    public let header: [String]
    public let decoded: [RecordBatch]
    public let mapper: ColumnMapper
    public let validation: ValidationStage

    public var rowCount: Int { decoded.reduce(0) { $0 + $1.rowCount } }

    /// Decodes the generated CSV file (see `DebtorFile.csv()`).
    public static func load() async throws -> DebtorBatches {
        let (bytes, path) = try DebtorFile.csv()
        return try await decode(bytes, name: path)
    }

    /// Decodes `bytes` as CSV with the default dialect, as `sluice run` does for a `.csv` input.
    public static func decode(_ bytes: [UInt8], name: String = "debtors.csv") async throws -> DebtorBatches {
        let source = MemoryByteSource(bytes: bytes, name: name)
        var decoder = CSVDecoder(source: source, object: try await source.describe(), dialect: CSVDialect(), batchRows: 16_384)
        let header = try await decoder.readHeader().fields
        var batches: [RecordBatch] = []
        while let batch = try await decoder.nextBatch() { batches.append(batch) }
        let mapping = try ColumnMapping(header: header, columns: debtorColumns)
        return DebtorBatches(
            header: header,
            decoded: batches,
            mapper: ColumnMapper(mapping: mapping),
            validation: ValidationStage(columns: debtorColumnNames, rules: ValidationRules())
        )
    }

    /// The batches after the `map` stage.
    public func mapped() -> [RecordBatch] {
        decoded.map { batch in
            var batch = batch
            mapper.map(&batch)
            return batch
        }
    }

    /// The batches after `map` and `validate`, the input of the cast stage.
    public func validated() throws -> [RecordBatch] {
        try mapped().map { batch in
            var batch = batch
            try validation.validate(&batch)
            return batch
        }
    }

    /// The cast stage of the shipped pipeline's column types.
    public var typeCast: TypeCastStage { TypeCastStage(columns: debtorColumns, rules: validation.rules) }

    /// The batches after `map`, `validate` and `cast`, the input of screening, dedup and the
    /// COPY encoder of typed columns.
    public func cast() throws -> [RecordBatch] {
        let cast = typeCast
        return try validated().map { batch in
            var batch = batch
            try cast.cast(&batch)
            return batch
        }
    }
}

extension RecordBatch {
    /// A copy that owns every buffer a stage writes to (arena, value table, status,
    /// rejections), so that the copy-on-write a stage would otherwise trigger on its first
    /// write happens here, outside the measured part.
    public func detached() -> RecordBatch {
        var copy = self
        copy.arena.withUnsafeMutableBufferPointer { _ in }
        copy.valueStarts.withUnsafeMutableBufferPointer { _ in }
        copy.valueEnds.withUnsafeMutableBufferPointer { _ in }
        copy.status.withUnsafeMutableBufferPointer { _ in }
        copy.rejections.withUnsafeMutableBufferPointer { _ in }
        return copy
    }
}

extension Array where Element == RecordBatch {
    /// `detached()` of every batch.
    public func detached() -> [RecordBatch] { map { $0.detached() } }

    public var rowCount: Int { reduce(0) { $0 + $1.rowCount } }
    public var acceptedCount: Int { reduce(0) { $0 + $1.acceptedCount } }
    public var rejectedCount: Int { reduce(0) { $0 + $1.rejectedCount } }
}
