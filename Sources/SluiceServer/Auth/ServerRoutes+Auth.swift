import Hummingbird

extension ServerRoutes {
    /// A group of routes that need a token whose role is at least `role`: `AuthMiddleware`
    /// then `RequireRole`, added before any route of the group.
    func group(for role: Caller.Role, in router: Router<SluiceRequestContext>) -> RouterGroup<SluiceRequestContext> {
        router.group()
            .add(middleware: AuthMiddleware(verifier: tokens))
            .add(middleware: RequireRole(role))
    }

    /// Health and metrics: open by default, for viewers with `SLUICE_OPEN_MONITORING=false`.
    func monitoringGroup(in router: Router<SluiceRequestContext>) -> RouterGroup<SluiceRequestContext> {
        openMonitoring ? router.group() : group(for: .viewer, in: router)
    }

    /// Records one action of the request's caller in `sluice.audit` (see `Auditor.record`).
    func audit(_ action: String, subject: String, detail: [String: String] = [:], context: SluiceRequestContext) async throws {
        try await Auditor(database: database, logger: logger).record(action, subject: subject, detail: detail, context: context)
    }
}
