extension Duration {
    /// The duration in seconds, for comparisons in floating point.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
