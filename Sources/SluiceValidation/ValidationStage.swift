import SluiceCore

/// The `validate` stage. Placeholder until the validation rules land: accepts every row.
public struct ValidationStage: Stage {
    public var name: String { "validate" }

    public init(columns: [String]) {}

    public func process(_ batch: inout RecordBatch) async throws {}
}
