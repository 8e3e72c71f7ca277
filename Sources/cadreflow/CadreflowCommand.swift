import ArgumentParser

/// `cadreflow`: the personnel-workflow service and its tools.
@main
struct CadreflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cadreflow",
        abstract: "Monthly assessments, leadership examinations and rotations, as durable workflows on PostgreSQL.",
        version: CadreflowVersion.current,
        subcommands: [ServeCommand.self, MigrateCommand.self, ConsoleCommand.self, DemoCommand.self, CheckCommand.self, BackupCommand.self]
    )
}

/// The version string shown in `--version` and, later, in the protocol greeting.
enum CadreflowVersion {
    static let current = "0.1.0"
}
