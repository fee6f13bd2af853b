import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The process's Prometheus registry, which `GET /metrics` prints, and the swift-metrics
/// bootstrap that fills it. Only `sluice serve` bootstraps it; without it swift-metrics is a
/// no-op, so `sluice run` pays nothing for the counters the engine's callers keep.
public enum ServerMetrics {
    /// What swift-metrics writes into once bootstrapped.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped = Mutex(false)

    /// Makes `registry` the swift-metrics backend; a second call does nothing.
    public static func bootstrap() {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = rename
        // Sub-5 ms buckets for the notification ack, whose target is a 5 ms p99.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
    }

    /// Hummingbird's OpenTelemetry-style names (`http.server.request.duration`) as Prometheus
    /// names with their units; label names with dots get underscores (`http_route`).
    @Sendable static func rename(_ name: String, _ labels: [(String, String)]) -> (String, [(String, String)]) {
        let renamed: String
        switch name {
        case "hb.requests": renamed = "http_requests_total"
        case "hb.request.errors": renamed = "http_request_errors_total"
        case "http.server.request.duration": renamed = "http_server_request_duration_seconds"
        case "http.server.active_requests": renamed = "http_server_active_requests"
        default: renamed = name.replacingDots()
        }
        return (renamed, labels.map { ($0.0.replacingDots(), $0.1) })
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        guard utf8.contains(UInt8(ascii: ".")) else { return self }
        return String(map { $0 == "." ? "_" : $0 })
    }
}
