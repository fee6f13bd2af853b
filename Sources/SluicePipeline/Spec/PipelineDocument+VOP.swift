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

        /// The checked section; `nil` when `enabled: false`. A bad value is reported and the
        /// default kept, so every problem of the section is found.
        /// - Parameters:
        ///   - columns: the pipeline's column names, which the named columns must be among;
        ///     `nil` when they are not known (the columns have problems of their own).
        ///   - invalid: reports a problem of a key under `vop`.
        func spec(columns: [String]?, invalid: (String, String...) -> Void) -> VOPSpec? {
            guard enabled ?? true else { return nil }
            var stage = VOPStageConfiguration()
            if let value = max_in_flight {
                if (1...256).contains(value) { stage.maxCallsInFlight = value } else { invalid("vop.max_in_flight must be between 1 and 256", "max_in_flight") }
            }
            if let value = rate_per_second {
                if value > 0, value.isFinite { stage.ratePerSecond = value } else { invalid("vop.rate_per_second must be a positive number of calls", "rate_per_second") }
            }
            if let value = burst {
                if value >= 1 { stage.burst = value } else { invalid("vop.burst must be at least 1", "burst") }
            }
            if let value = sampling_percent {
                if (0...100).contains(value) { stage.samplingPercentage = value } else { invalid("vop.sampling_percent must be between 0 and 100", "sampling_percent") }
            }
            if let value = daily_budget, value < 0 { invalid("vop.daily_budget must not be negative", "daily_budget") }
            if let value = cache_ttl_days {
                if value > 0, value <= 3650 { stage.cacheTTL = .seconds(value * 86_400) } else { invalid("vop.cache_ttl_days must be above 0 and at most 3650", "cache_ttl_days") }
            }
            if let value = cache_not_possible_hours {
                if value >= 0, value <= 24 * 3650 {
                    stage.notPossibleTTL = .seconds(value * 3600)
                } else {
                    invalid("vop.cache_not_possible_hours must be between 0 (never cached) and 87600", "cache_not_possible_hours")
                }
            }
            switch account_type?.lowercased() {
            case nil, "auto": stage.accountType = nil
            case "individual": stage.accountType = .individual
            case "company": stage.accountType = .company
            case let other?: invalid("vop.account_type '\(other)' must be auto, individual or company", "account_type")
            }
            func column(_ name: String?, _ key: String) -> String? {
                guard let name else { return nil }
                let folded = name.lowercased()
                if let columns, !columns.contains(folded) {
                    invalid("vop.\(key) '\(name)' is not one of the pipeline's columns" + PipelineDocument.suggestion(for: folded, among: columns), key)
                }
                return folded
            }
            stage.accountTypeColumn = column(account_type_column, "account_type_column")
            stage.ibanColumn = column(iban_column, "iban_column") ?? "iban"
            if let columns, iban_column == nil, !columns.contains(stage.ibanColumn) {
                invalid("vop needs an IBAN column: the pipeline has no 'iban' column, name one with vop.iban_column", "iban_column")
            }
            // First and last name joined, falling back to the full name; or the full name alone
            // when the pipeline has neither first nor last name.
            let has = { (name: String) in columns?.contains(name) ?? false }
            let first = column(first_name_column, "first_name_column") ?? (has("first_name") ? "first_name" : nil)
            let last = column(last_name_column, "last_name_column") ?? (has("last_name") ? "last_name" : nil)
            let full = column(name_column, "name_column") ?? (has("name") ? "name" : nil)
            if first != nil || last != nil {
                stage.nameColumns = .firstAndLast(first: first ?? "", last: last ?? "", fallback: full)
            } else if let full {
                stage.nameColumns = .single(full)
            } else if columns != nil {
                invalid(
                    "vop needs the payee's name: the pipeline has no first_name, last_name or name column; name one with vop.name_column",
                    "name_column")
            }
            if let value = max_pause_seconds {
                if value >= 0, value <= 3600 { stage.maxPause = .seconds(value) } else { invalid("vop.max_pause_seconds must be between 0 and 3600", "max_pause_seconds") }
            }
            if let policy { stage.policy = policy }
            if let breaker { stage.breaker = breaker.configuration(invalid: invalid) }
            return VOPSpec(stage: stage, dailyBudget: daily_budget)
        }
    }
}

extension PipelineDocument.VOPDocument.Breaker {
    /// The breaker's settings; a bad value is reported and the default kept.
    func configuration(invalid: (String, String...) -> Void) -> CircuitBreakerConfiguration {
        let defaults = CircuitBreakerConfiguration()
        func checked<Value>(_ value: Value?, _ key: String, _ isValid: (Value) -> Bool, _ message: String) -> Value? {
            guard let value else { return nil }
            if isValid(value) { return value }
            invalid("vop.breaker.\(key) must be \(message)", "breaker", key)
            return nil
        }
        let window = checked(window, "window", { $0 >= 1 }, "at least 1")
        let minCalls = checked(min_calls, "min_calls", { $0 >= 1 }, "at least 1")
        let failureRate = checked(failure_rate, "failure_rate", { $0 > 0 && $0 <= 1 }, "above 0 and at most 1 (0.5 = half the calls)")
        let coolDown = checked(cool_down_seconds, "cool_down_seconds", { $0 >= 0 && $0 <= 3600 }, "between 0 and 3600")
        let maxCoolDown = checked(max_cool_down_seconds, "max_cool_down_seconds", { $0 >= 0 && $0 <= 86_400 }, "between 0 and 86400")
        let probes = checked(probes, "probes", { $0 >= 1 }, "at least 1")
        return CircuitBreakerConfiguration(
            windowSize: window ?? defaults.windowSize,
            minimumCalls: minCalls ?? defaults.minimumCalls,
            failureThreshold: failureRate ?? defaults.failureThreshold,
            coolDown: coolDown.map { .seconds($0) } ?? defaults.coolDown,
            maxCoolDown: maxCoolDown.map { .seconds($0) } ?? defaults.maxCoolDown,
            probeCalls: probes ?? defaults.probeCalls)
    }
}
