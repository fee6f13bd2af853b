extension SourceFormat {
    /// Whether positions in this format are byte offsets (CSV) or row ordinals (XLSX).
    public var positionsAreBytes: Bool { self == .csv }
}
