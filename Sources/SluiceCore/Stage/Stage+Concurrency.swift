extension Stage {
    /// How many batches this stage may work on at once. Stages that wait on the network
    /// raise it; a stage whose result depends on the order of rows (dedup) keeps 1.
    public var maxConcurrentBatches: Int { 1 }
}
