import SluiceCore
import SluiceStages
import SluiceValidation
import SluiceVOP
import Yams

extension PipelineDocument {
    /// `vop:`: payee verification. See `docs/pipelines.md`, "Payee verification (`vop:`)".
    struct VOPDocument: Decodable {
        var enabled: Bool?
        var max_in_flight: Int?
        var rate_per_second: Double?
        var burst: Int?
        var sampling_percent: Double?
        var daily_budget: Int?
        var cache_ttl_days: Double?
        var cache_not_possible_hours: Double?
        var account_type: String?
        var account_type_column: String?
        var iban_column: String?
        var name_column: String?
        var first_name_column: String?
        var last_name_column: String?
        var max_pause_seconds: Double?
        var policy: VOPPolicy?
        var breaker: Breaker?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, max_in_flight, rate_per_second, burst, sampling_percent, daily_budget, cache_ttl_days, cache_not_possible_hours
            case account_type, account_type_column, iban_column, name_column, first_name_column, last_name_column
            case max_pause_seconds, policy, breaker
        }

        struct Breaker: Decodable {
            var window: Int?
            var min_calls: Int?
            var failure_rate: Double?
            var cool_down_seconds: Double?
            var max_cool_down_seconds: Double?
            var probes: Int?

            enum CodingKeys: String, CodingKey, CaseIterable {
                case window, min_calls, failure_rate, cool_down_seconds, max_cool_down_seconds, probes
            }
        }

        /// The checked section; `nil` when `enabled: false`.
        /// - Parameters:
        ///   - columns: the pipeline's column names, which the named columns must be among.
        ///   - invalid: makes the error for a key under `vop`.
        func spec(columns: [String], invalid: (String, String...) -> SluiceError) throws -> VOPSpec? {
            guard enabled ?? true else { return nil }
            var stage = VOPStageConfiguration()
            if let value = max_in_flight {
                guard (1...256).contains(value) else { throw invalid("vop.max_in_flight must be between 1 and 256", "max_in_flight") }
                stage.maxCallsInFlight = value
            }
            if let value = rate_per_second {
                guard value > 0, value.isFinite else { throw invalid("vop.rate_per_second must be a positive number of calls", "rate_per_second") }
                stage.ratePerSecond = value
            }
            if let value = burst {
                guard value >= 1 else { throw invalid("vop.burst must be at least 1", "burst") }
                stage.burst = value
            }
            if let value = sampling_percent {
                guard (0...100).contains(value) else { throw invalid("vop.sampling_percent must be between 0 and 100", "sampling_percent") }
                stage.samplingPercentage = value
            }
            if let value = daily_budget, value < 0 { throw invalid("vop.daily_budget must not be negative", "daily_budget") }
            if let value = cache_ttl_days {
                guard value > 0, value <= 3650 else { throw invalid("vop.cache_ttl_days must be above 0 and at most 3650", "cache_ttl_days") }
                stage.cacheTTL = .seconds(value * 86_400)
            }
            if let value = cache_not_possible_hours {
                guard value >= 0, value <= 24 * 3650 else {
                    throw invalid("vop.cache_not_possible_hours must be between 0 (never cached) and 87600", "cache_not_possible_hours")
                }
                stage.notPossibleTTL = .seconds(value * 3600)
            }
            switch account_type?.lowercased() {
            case nil, "auto": stage.accountType = nil
            case "individual": stage.accountType = .individual
            case "company": stage.accountType = .company
            case let other?: throw invalid("vop.account_type '\(other)' must be auto, individual or company", "account_type")
            }
            func column(_ name: String?, _ key: String) throws -> String? {
                guard let name else { return nil }
                let folded = name.lowercased()
                guard columns.contains(folded) else { throw invalid("vop.\(key) '\(name)' is not one of the pipeline's columns", key) }
                return folded
            }
            stage.accountTypeColumn = try column(account_type_column, "account_type_column")
            stage.ibanColumn = try column(iban_column, "iban_column") ?? "iban"
            guard columns.contains(stage.ibanColumn) else {
                throw invalid("vop needs an IBAN column: the pipeline has no 'iban' column, name one with vop.iban_column", "iban_column")
            }
            // First and last name joined, falling back to the full name; or the full name alone
            // when the pipeline has neither first nor last name.
            let first = try column(first_name_column, "first_name_column") ?? (columns.contains("first_name") ? "first_name" : nil)
            let last = try column(last_name_column, "last_name_column") ?? (columns.contains("last_name") ? "last_name" : nil)
            let full = try column(name_column, "name_column") ?? (columns.contains("name") ? "name" : nil)
            if first != nil || last != nil {
                stage.nameColumns = .firstAndLast(first: first ?? "", last: last ?? "", fallback: full)
            } else if let full {
                stage.nameColumns = .single(full)
            } else {
                throw invalid(
                    "vop needs the payee's name: the pipeline has no first_name, last_name or name column; name one with vop.name_column",
                    "name_column")
            }
            if let value = max_pause_seconds {
                guard value >= 0, value <= 3600 else { throw invalid("vop.max_pause_seconds must be between 0 and 3600", "max_pause_seconds") }
                stage.maxPause = .seconds(value)
            }
            if let policy { stage.policy = policy }
            if let breaker { stage.breaker = try breaker.configuration(invalid: invalid) }
            return VOPSpec(stage: stage, dailyBudget: daily_budget)
        }
    }
}

extension PipelineDocument.VOPDocument.Breaker {
    func configuration(invalid: (String, String...) -> SluiceError) throws -> CircuitBreakerConfiguration {
        let defaults = CircuitBreakerConfiguration()
        if let window, window < 1 { throw invalid("vop.breaker.window must be at least 1", "breaker", "window") }
        if let min_calls, min_calls < 1 { throw invalid("vop.breaker.min_calls must be at least 1", "breaker", "min_calls") }
        if let failure_rate, !(failure_rate > 0 && failure_rate <= 1) {
            throw invalid("vop.breaker.failure_rate must be above 0 and at most 1 (0.5 = half the calls)", "breaker", "failure_rate")
        }
        if let cool_down_seconds, !(cool_down_seconds >= 0 && cool_down_seconds <= 3600) {
            throw invalid("vop.breaker.cool_down_seconds must be between 0 and 3600", "breaker", "cool_down_seconds")
        }
        if let max_cool_down_seconds, !(max_cool_down_seconds >= 0 && max_cool_down_seconds <= 86_400) {
            throw invalid("vop.breaker.max_cool_down_seconds must be between 0 and 86400", "breaker", "max_cool_down_seconds")
        }
        if let probes, probes < 1 { throw invalid("vop.breaker.probes must be at least 1", "breaker", "probes") }
        return CircuitBreakerConfiguration(
            windowSize: window ?? defaults.windowSize,
            minimumCalls: min_calls ?? defaults.minimumCalls,
            failureThreshold: failure_rate ?? defaults.failureThreshold,
            coolDown: cool_down_seconds.map { .seconds($0) } ?? defaults.coolDown,
            maxCoolDown: max_cool_down_seconds.map { .seconds($0) } ?? defaults.maxCoolDown,
            probeCalls: probes ?? defaults.probeCalls)
    }
}
