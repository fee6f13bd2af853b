extension RunReportSource {
    /// Streams the run's VOP checks into `writer`, in line order, one database row at a time:
    /// the verified ones, and with `includeUnverified` also those answered by `none`.
    /// `afterEach` runs after every row (a streamed answer sends full chunks there).
    nonisolated(nonsending) public func writeVOPChecks(
        includeUnverified: Bool, to writer: any VOPReportWriter, afterEach: () async throws -> Void = {}
    ) async throws {
        try await VOPCheckReader(connection: connection, logger: logger).forEachCheck(of: run.id, includeUnverified: includeUnverified) { row in
            try writer.write(row)
            try await afterEach()
        }
    }

    /// The run's VOP figures; `nil` when it has no check.
    public func vopFigures() async throws -> VOPFigures? {
        try await VOPFiguresQuery(connection: connection, logger: logger).figures(of: run.id)
    }
}
