import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Exports the server's spans (`HTTP` requests, `run`, `batch`) with swift-otel's OTLP/HTTP
/// exporter, only when an endpoint is configured: `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. Without one nothing is bootstrapped and every span is
/// swift-distributed-tracing's no-op.
///
/// The other `OTEL_*` variables of the OpenTelemetry specification apply (`OTEL_SERVICE_NAME`,
/// default `sluice`; `OTEL_EXPORTER_OTLP_PROTOCOL`, `http/protobuf` or `http/json`;
/// `OTEL_TRACES_SAMPLER`; `OTEL_BSP_SCHEDULE_DELAY`, …). Logs and metrics stay where they are
/// (stderr, `/metrics`): only the tracer is bootstrapped.
public enum OTLPTracing {
    /// Whether the environment names an endpoint.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains { !(environment[$0] ?? "").isEmpty }
    }

    /// Bootstraps the tracer when an endpoint is configured; returns the exporter's service,
    /// which must run in the process's `ServiceGroup` (it sends the batches and flushes them at
    /// shutdown), or `nil` when tracing stays off.
    public static func bootstrapIfConfigured(environment: [String: String], node: String, logger: Logger) throws -> (any Service)? {
        guard isConfigured(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "sluice"
        configuration.resourceAttributes["service.instance.id"] = node
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        logger.info("tracing: exporting spans over OTLP/HTTP")
        return backend.service
    }
}
