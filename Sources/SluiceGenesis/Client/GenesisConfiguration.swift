import Foundation

/// Where and how `GenesisClient` reaches one Genesis terminal.
///
/// `description` never shows the password.
public struct GenesisConfiguration: Sendable, CustomStringConvertible {
    /// The gateway's base URL without a trailing path: `https://staging.gate.emerchantpay.net`,
    /// or `http://127.0.0.1:PORT` for the simulator.
    public var baseURL: String
    public var terminalToken: String
    /// The API login, the user of HTTP Basic auth.
    public var login: String
    /// The API password; it also signs the terminal's notifications.
    public var password: String
    /// The longest one call may take, from connecting to the last byte of the answer.
    public var timeout: Duration
    /// Extra attempts for the read-only calls (reconcile, by-date, chargebacks) after a failure
    /// that may pass; a sale or void is never retried by the client.
    public var readRetries: Int
    /// The first pause between read attempts; it doubles each time, with jitter.
    public var retryBaseDelay: Duration
    /// Answers larger than this are refused as malformed, without reading them further.
    public var maxResponseBytes: Int

    public init(
        baseURL: String = "https://staging.gate.emerchantpay.net", terminalToken: String, login: String, password: String,
        timeout: Duration = .seconds(30), readRetries: Int = 3, retryBaseDelay: Duration = .milliseconds(200),
        maxResponseBytes: Int = 1 << 20
    ) {
        self.baseURL = baseURL
        self.terminalToken = terminalToken
        self.login = login
        self.password = password
        self.timeout = timeout
        self.readRetries = readRetries
        self.retryBaseDelay = retryBaseDelay
        self.maxResponseBytes = maxResponseBytes
    }

    /// Reads the configuration of `terminal` from the environment.
    ///
    /// `SLUICE_GENESIS_URL`, `SLUICE_GENESIS_LOGIN` and `SLUICE_GENESIS_PASSWORD` apply to every
    /// terminal; `SLUICE_GENESIS_LOGIN_<T>` and `SLUICE_GENESIS_PASSWORD_<T>` override them for one,
    /// where `T` is the token upper-cased with every other character than A–Z and 0–9 as `_`.
    ///
    /// - Throws: `GenesisConfigurationError` naming the first variable missing.
    public static func fromEnvironment(
        terminal: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> GenesisConfiguration {
        let suffix = environmentSuffix(terminal)
        func value(_ names: String...) throws -> String {
            for name in names {
                if let value = environment[name], !value.isEmpty { return value }
            }
            throw GenesisConfigurationError(variable: names.last!)
        }
        return GenesisConfiguration(
            baseURL: try value("SLUICE_GENESIS_URL"), terminalToken: terminal,
            login: try value("SLUICE_GENESIS_LOGIN_\(suffix)", "SLUICE_GENESIS_LOGIN"),
            password: try value("SLUICE_GENESIS_PASSWORD_\(suffix)", "SLUICE_GENESIS_PASSWORD"))
    }

    /// `T` of the per-terminal variables: `abc-123` → `ABC_123`.
    public static func environmentSuffix(_ terminal: String) -> String {
        String(terminal.uppercased().unicodeScalars.map { scalar -> Character in
            ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
        })
    }

    public var description: String {
        "GenesisConfiguration(baseURL: \(baseURL), terminal: \(terminalToken), login: \(login), password: ***, timeout: \(timeout), "
            + "readRetries: \(readRetries), maxResponseBytes: \(maxResponseBytes))"
    }
}
