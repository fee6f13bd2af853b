import ArgumentParser

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Streams CSV debtor files from S3 or disk into PostgreSQL, exactly once.",
        discussion: """
            Environment: SLUICE_DATABASE_URL, SLUICE_S3_ENDPOINT, SLUICE_S3_REGION, SLUICE_S3_ACCESS_KEY, \
            SLUICE_S3_SECRET_KEY (see docs/operations.md). Exit codes are listed in docs/cli.md.
            """,
        subcommands: [RunCommand.self, LintCommand.self, ServeCommand.self, CancelCommand.self, InspectCommand.self, IbanCommand.self, MigrateCommand.self, RunsCommand.self, BlacklistCommand.self, TokenCommand.self, ReportCommand.self, SourceCommand.self, SimulateCommand.self, BillingCommand.self, NotificationsCommand.self, ReconcileCommand.self, TestCommand.self]
    )
}
