extension RunReportSource {
    /// Streams the run's billing into `writer`, in line order, one database row at a time:
    /// every attempt and every skipped row. `afterEach` runs after every row (a streamed answer
    /// sends full chunks there).
    nonisolated(nonsending) public func writeBillingRows(
        to writer: any BillingReportWriter, afterEach: () async throws -> Void = {}
    ) async throws {
        try await BillingReportReader(connection: connection, logger: logger).forEachRow(of: run.id) { row in
            try writer.write(row)
            try await afterEach()
        }
    }

    /// Whether the run was handed to billing: a run that was not has no billing report.
    public func isHandedToBilling() async throws -> Bool {
        try await BillingFiguresQuery(connection: connection, logger: logger).isHandedToBilling(run.id)
    }

    /// The run's billing figures; `nil` when it was never handed to billing.
    public func billingFigures() async throws -> BillingFigures? {
        try await BillingFiguresQuery(connection: connection, logger: logger).figures(of: run.id)
    }
}
