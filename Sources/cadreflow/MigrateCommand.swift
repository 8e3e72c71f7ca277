import ArgumentParser
import CadreflowDatabase

/// `cadreflow migrate`: applies the shipped migrations, or lists their state.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (each in its own transaction) and exit."
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(name: .long, help: "Only list the migrations and when each was applied.")
    var status = false

    func run() throws {
        do {
            let configuration = try options.load()
            let logger = try options.makeLogger(label: "cadreflow.migrate", configuration: configuration)
            let database = try ServiceDatabase.open(
                url: configuration.database.url, dataDirectory: configuration.database.dataDir,
                embeddedPort: configuration.database.embeddedPort, logger: logger
            )
            // Leave a cluster that a running service owns as it was.
            defer { if !database.adoptedRunningCluster { try? database.stopEmbedded() } }
            if status {
                for entry in try database.migrationStatus(logger: logger) {
                    print("\(entry.migration.name)\t\(entry.appliedAt.map { "applied \($0)" } ?? "pending")")
                }
            } else {
                let applied = try database.migrate(logger: logger)
                print(applied.isEmpty ? "database is up to date" : "applied \(applied.count): \(applied.map(\.name).joined(separator: ", "))")
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            throw exitWithReason(error)
        }
    }
}
