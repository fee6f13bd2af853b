import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import SluiceCore
import SluicePostgres
import SluiceServer

/// `sluice token`: the bearer tokens of `sluice serve`, stored as SHA-256 hashes only.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, revoke and list API tokens for sluice serve.",
        discussion: """
            Roles: viewer (reads runs and jobs), operator (also starts, cancels and resumes runs and \
            uploads), admin (also the blacklist and the audit log). The secret is printed once, at \
            create; only its SHA-256 is stored.
            """,
        subcommands: [Create.self, Revoke.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret (once) on standard output.")
        @Option(help: "viewer, operator or admin.") var role: String
        @Option(help: "Who or what uses it, e.g. ci-loader or alice; the audit log names it.") var name: String

        func run() async throws {
            try await withTokens { store in
                guard Caller.Role(rawValue: role) != nil else {
                    throw SluiceError(.invalidArgument, "--role must be one of \(Caller.Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let (token, secret) = try await store.create(name: name, role: role)
                print(secret)
                Terminal.printError(
                    "created token '\(token.name)' (id \(token.id), role \(token.role)); the secret above is shown only now: "
                        + "send it as 'Authorization: Bearer <secret>'")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a live token by its name (or, when no live token has that name, by its id).")
        @Argument(help: "The token's name or id.") var token: String

        func run() async throws {
            try await withTokens { store in
                guard let revoked = try await store.revoke(token) else {
                    throw SluiceError(.invalidArgument, "no live token has the name or id '\(token)'")
                }
                print("revoked token '\(revoked.name)' (id \(revoked.id), role \(revoked.role))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens, oldest first (never their secrets).")
        @Flag(help: "Revoked tokens too.") var all = false
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            try await withTokens(readOnly: true) { store in
                let tokens = try await store.list(includeRevoked: all)
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.sortedKeys]
                let dates = ISO8601DateFormatter()
                for token in tokens {
                    if json {
                        print(String(decoding: try encoder.encode(token), as: UTF8.self))
                    } else {
                        let used = token.lastUsedAt.map { dates.string(from: $0) } ?? "never"
                        let state = token.revokedAt.map { "revoked \(dates.string(from: $0))" } ?? "live"
                        print([
                            String(token.id).padding(toLength: 5, withPad: " ", startingAt: 0),
                            token.name.padding(toLength: 24, withPad: " ", startingAt: 0),
                            token.role.padding(toLength: 9, withPad: " ", startingAt: 0),
                            (token.prefix + "…").padding(toLength: 14, withPad: " ", startingAt: 0),
                            "created \(dates.string(from: token.createdAt))", "used \(used)", state,
                        ].joined(separator: " "))
                    }
                }
                if !json { Terminal.printError("\(tokens.count) token\(tokens.count == 1 ? "" : "s")") }
            }
        }
    }
}

/// A token store on a migrated database (or, for listing, a current one).
private func withTokens<T>(readOnly: Bool = false, _ body: (TokenStore) async throws -> T) async throws -> T {
    try await Environment.withDatabase(readOnly: readOnly) { connection, logger in try await body(TokenStore(connection: connection, logger: logger)) }
}
