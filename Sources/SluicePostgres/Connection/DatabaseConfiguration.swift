import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SluiceCore

/// Where Sluice's PostgreSQL is, read from a `postgres://user:password@host:port/database` URL.
public struct DatabaseConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a `postgres://` or `postgresql://` URL.
    public init(url: String) throws {
        guard let components = URLComponents(string: url),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, !host.isEmpty,
              let username = components.user
        else {
            throw SluiceError(.invalidArgument, "database URL must look like postgres://user:password@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: username.removingPercentEncoding ?? username,
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? username : database
        )
    }

    /// Reads `SLUICE_DATABASE_URL`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseConfiguration {
        guard let url = environment["SLUICE_DATABASE_URL"], !url.isEmpty else {
            throw SluiceError(.invalidArgument, "SLUICE_DATABASE_URL is not set (run `scripts/stack.sh up` and source .sluice/env)")
        }
        return try DatabaseConfiguration(url: url)
    }

    /// Opens one connection, for one piece of work; `withConnection` closes it after.
    public func connect(logger: Logger) async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: .disable
        )
        do {
            return try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(),
                configuration: configuration,
                id: Self.nextConnectionID(),
                logger: logger
            )
        } catch {
            throw SluiceError(.database, "cannot connect to PostgreSQL at \(host):\(port)/\(database)", underlying: error)
        }
    }

    /// The same database as a pool's configuration, for `PostgresClient`.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private static let counter = ConnectionCounter()
    private static func nextConnectionID() -> Int { counter.next() }
}

private final class ConnectionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
