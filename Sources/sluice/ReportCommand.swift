import ArgumentParser

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's rejection, VOP or billing report (CSV or XLSX), or its summary.",
        discussion: "See docs/reports.md for the columns, masking and the XLSX layout.",
        subcommands: [ReportRejectionsCommand.self, ReportSummaryCommand.self, ReportVOPCommand.self, ReportBillingCommand.self]
    )
}
