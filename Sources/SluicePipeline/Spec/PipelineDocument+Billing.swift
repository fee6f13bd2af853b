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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, terminal, notification_url, usage, currency, rate_per_second, max_in_flight, rows, start, timeout_seconds
            case max_sale_requests, columns, breaker
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

        /// The checked section; `nil` when `enabled: false`.
        /// - Parameters:
        ///   - columns: the pipeline's column names, which the named columns must be among.
        ///   - invalid: makes the error for a key under `billing`.
        func settings(columns: [String], invalid: (String, String...) -> SluiceError) throws -> BillingSettings? {
            guard enabled ?? true else { return nil }
            let token = terminal.trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty, token.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) else {
                throw invalid("billing.terminal must be a terminal token (letters, digits, - and _)", "terminal")
            }
            var settings = BillingSettings(terminal: token)
            if let url = notification_url {
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                    throw invalid("billing.notification_url must be an http(s) URL", "notification_url")
                }
                settings.notificationURL = url
            }
            if let usage {
                guard !usage.isEmpty, usage.count <= 255 else { throw invalid("billing.usage must be 1 to 255 characters", "usage") }
                settings.usage = usage
            }
            if let currency {
                guard currency.count == 3, currency.allSatisfy(\.isLetter) else { throw invalid("billing.currency must be an ISO 4217 code such as EUR", "currency") }
                settings.currency = currency.uppercased()
            }
            if let rate = rate_per_second {
                guard rate >= 0, rate.isFinite else { throw invalid("billing.rate_per_second must be a positive number, or 0 for no limit", "rate_per_second") }
                settings.ratePerSecond = rate == 0 ? nil : rate
            }
            if let value = max_in_flight {
                guard (1...256).contains(value) else { throw invalid("billing.max_in_flight must be between 1 and 256", "max_in_flight") }
                settings.maxInFlight = value
            }
            if let rows { settings.billFlaggedRows = rows == "all" }
            if let start { settings.startOnCompletion = start == "on_completion" }
            if let value = timeout_seconds {
                guard value > 0, value <= 300 else { throw invalid("billing.timeout_seconds must be above 0 and at most 300", "timeout_seconds") }
                settings.timeoutSeconds = value
            }
            if let value = max_sale_requests {
                guard (1...10).contains(value) else { throw invalid("billing.max_sale_requests must be between 1 and 10", "max_sale_requests") }
                settings.maxSaleRequests = value
            }
            if let breaker {
                if let value = breaker.window {
                    guard (1...10_000).contains(value) else { throw invalid("billing.breaker.window must be between 1 and 10000", "breaker", "window") }
                    settings.breakerWindow = value
                }
                if let value = breaker.min_calls {
                    guard value >= 1 else { throw invalid("billing.breaker.min_calls must be at least 1", "breaker", "min_calls") }
                    settings.breakerMinimumCalls = value
                }
                if let value = breaker.failure_rate {
                    guard value > 0, value <= 1 else { throw invalid("billing.breaker.failure_rate must be above 0 and at most 1", "breaker", "failure_rate") }
                    settings.breakerFailureRatio = value
                }
                if let value = breaker.cool_down_seconds {
                    guard value > 0, value.isFinite else { throw invalid("billing.breaker.cool_down_seconds must be above 0", "breaker", "cool_down_seconds") }
                    settings.breakerCoolDownSeconds = value
                }
            }
            for (role, column) in (self.columns ?? [:]).sorted(by: { $0.key < $1.key }) {
                let name = column.lowercased()
                guard columns.contains(name) else {
                    throw invalid("billing.columns.\(role) names '\(column)', which is not a column of the pipeline", "columns", role)
                }
                settings.columns.set(role: role, to: name)
            }
            return settings
        }
    }
}
