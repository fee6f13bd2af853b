import Foundation
import SluiceBilling
import SluiceCore

extension PipelineDocument {
    /// `billing:`: charging the run's rows after it completes. See `docs/billing.md`.
    struct BillingDocument: Decodable {
        var enabled: Bool?
        var terminal: String
        var notification_url: String?
        var usage: String?
        var currency: String?
        var rate_per_second: Double?
        var max_in_flight: Int?
        var rows: String?
        var start: String?
        var timeout_seconds: Double?
        var max_sale_requests: Int?
        var columns: [String: String]?
        var breaker: Breaker?
        /// This pipeline never bills a payee that VOP did not verify: a `vop:` section that is
        /// on must go with it (`PipelineDocument.coherenceProblems`).
        var require_vop: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, terminal, notification_url, usage, currency, rate_per_second, max_in_flight, rows, start, timeout_seconds
            case max_sale_requests, columns, breaker, require_vop
        }

        struct Breaker: Decodable {
            var window: Int?
            var min_calls: Int?
            var failure_rate: Double?
            var cool_down_seconds: Double?

            enum CodingKeys: String, CodingKey, CaseIterable {
                case window, min_calls, failure_rate, cool_down_seconds
            }
        }

        /// The checked section; `nil` when `enabled: false`. A bad value is reported and the
        /// default kept, so every problem of the section is found.
        /// - Parameters:
        ///   - columns: the pipeline's column names, which the named columns must be among;
        ///     `nil` when they are not known (the columns have problems of their own).
        ///   - invalid: reports a problem of a key under `billing`.
        func settings(columns: [String]?, invalid: (String, String...) -> Void) -> BillingSettings? {
            guard enabled ?? true else { return nil }
            let token = terminal.trimmingCharacters(in: .whitespaces)
            if token.isEmpty || !token.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) {
                invalid("billing.terminal must be a terminal token (letters, digits, - and _)", "terminal")
            }
            var settings = BillingSettings(terminal: token)
            if let url = notification_url {
                if url.hasPrefix("https://") || url.hasPrefix("http://") {
                    settings.notificationURL = url
                } else {
                    invalid("billing.notification_url must be an http(s) URL", "notification_url")
                }
            }
            if let usage {
                if !usage.isEmpty, usage.count <= 255 { settings.usage = usage } else { invalid("billing.usage must be 1 to 255 characters", "usage") }
            }
            if let currency {
                if currency.count == 3, currency.allSatisfy(\.isLetter) {
                    settings.currency = currency.uppercased()
                } else {
                    invalid("billing.currency must be an ISO 4217 code such as EUR", "currency")
                }
            }
            if let rate = rate_per_second {
                if rate >= 0, rate.isFinite {
                    settings.ratePerSecond = rate == 0 ? nil : rate
                } else {
                    invalid("billing.rate_per_second must be a positive number, or 0 for no limit", "rate_per_second")
                }
            }
            if let value = max_in_flight {
                if (1...256).contains(value) { settings.maxInFlight = value } else { invalid("billing.max_in_flight must be between 1 and 256", "max_in_flight") }
            }
            if let rows { settings.billFlaggedRows = rows == "all" }
            if let start { settings.startOnCompletion = start == "on_completion" }
            if let value = timeout_seconds {
                if value > 0, value <= 300 { settings.timeoutSeconds = value } else { invalid("billing.timeout_seconds must be above 0 and at most 300", "timeout_seconds") }
            }
            if let value = max_sale_requests {
                if (1...10).contains(value) { settings.maxSaleRequests = value } else { invalid("billing.max_sale_requests must be between 1 and 10", "max_sale_requests") }
            }
            if let breaker {
                if let value = breaker.window {
                    if (1...10_000).contains(value) { settings.breakerWindow = value } else { invalid("billing.breaker.window must be between 1 and 10000", "breaker", "window") }
                }
                if let value = breaker.min_calls {
                    if value >= 1 { settings.breakerMinimumCalls = value } else { invalid("billing.breaker.min_calls must be at least 1", "breaker", "min_calls") }
                }
                if let value = breaker.failure_rate {
                    if value > 0, value <= 1 {
                        settings.breakerFailureRatio = value
                    } else {
                        invalid("billing.breaker.failure_rate must be above 0 and at most 1", "breaker", "failure_rate")
                    }
                }
                if let value = breaker.cool_down_seconds {
                    if value > 0, value.isFinite {
                        settings.breakerCoolDownSeconds = value
                    } else {
                        invalid("billing.breaker.cool_down_seconds must be above 0", "breaker", "cool_down_seconds")
                    }
                }
            }
            for (role, column) in (self.columns ?? [:]).sorted(by: { $0.key < $1.key }) {
                let name = column.lowercased()
                if let columns, !columns.contains(name) {
                    invalid("billing.columns.\(role) names '\(column)', which is not a column of the pipeline" + PipelineDocument.suggestion(for: name, among: columns),
                            "columns", role)
                }
                settings.columns.set(role: role, to: name)
            }
            return settings
        }
    }
}
