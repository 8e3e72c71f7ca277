import ArgumentParser
import CadreflowDatabase

/// `cadreflow backup <dir>`: a base backup of the embedded cluster (while the service runs
/// or not) into a new data directory, from which `cadreflow serve --data-dir <dir>` starts
/// as it is: the restore is starting on it.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the embedded PostgreSQL cluster with pg_basebackup into a new data directory (a restore is `serve --data-dir` on it).",
        discussion: "With an external database (database.url) use that server's own tools: pg_basebackup or pg_dump (docs/OPERATIONS.md)."
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The new data directory (its postgres/ folder must be missing or empty).")
    var target: String

    func run() throws {
        do {
            let configuration = try options.load()
            guard configuration.usesEmbeddedDatabase else {
                throw ValidationError("database.url is set: back up that server with pg_basebackup or pg_dump (see docs/OPERATIONS.md)")
            }
            let logger = try options.makeLogger(label: "cadreflow.backup", configuration: configuration)
            let database = try ServiceDatabase.open(
                url: "", dataDirectory: configuration.database.dataDir, embeddedPort: configuration.database.embeddedPort, logger: logger
            )
            // A cluster the running service owns stays running; one started for the backup stops after it.
            defer { if !database.adoptedRunningCluster { try? database.stopEmbedded() } }
            guard let cluster = database.embedded else { return }
            let copy = try cluster.baseBackup(into: target)
            print("backed up \(cluster.clusterDirectory) into \(copy.clusterDirectory); restore: cadreflow serve --data-dir \(copy.root)")
        } catch let error as ValidationError {
            throw error
        } catch {
            throw exitWithReason(error)
        }
    }
}
