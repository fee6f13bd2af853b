import Testing

@testable import SluiceServer

struct RequestIDMiddlewareTests {
    @Test(arguments: [
        ("abc-123", "abc-123"),
        ("req.1:a_b", "req.1:a_b"),
        ("a b\r\nX-Evil: 1", "abX-Evil:1"),
        ("\"{}<>\"", nil),
        ("", nil),
    ] as [(String, String?)])
    func callerIDsAreSanitised(_ header: String, _ expected: String?) {
        #expect(RequestIDMiddleware.sanitize(header) == expected)
    }

    @Test func callerIDsAreCutAt128Characters() {
        #expect(RequestIDMiddleware.sanitize(String(repeating: "x", count: 500))?.count == 128)
    }

    @Test func madeUpIDsAreUniqueAndValid() {
        let one = RequestIDMiddleware.makeID()
        #expect(one != RequestIDMiddleware.makeID())
        #expect(RequestIDMiddleware.sanitize(one) == one)
    }

    @Test func hummingbirdMetricNamesBecomePrometheusNames() {
        let (name, labels) = ServerMetrics.rename("http.server.request.duration", [("http.route", "/v1/runs"), ("http.response.status_code", "200")])
        #expect(name == "http_server_request_duration_seconds")
        #expect(labels.map(\.0) == ["http_route", "http_response_status_code"])
        #expect(ServerMetrics.rename("sluice_rows_total", []).0 == "sluice_rows_total")
    }
}
