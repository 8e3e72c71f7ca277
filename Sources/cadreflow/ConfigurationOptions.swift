import ArgumentParser
import CadreflowConfig
import CadreflowDefinitions
import CadreflowObservability
import Foundation
import Logging

/// The flags every subcommand shares; they override the config file and the environment.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $CADREFLOW_CONFIG, then config/cadreflow.toml when present; else built-in defaults).")
    var config: String?

    @Option(name: .long, help: "Listen address host:port (overrides $CADREFLOW_LISTEN).")
    var listen: String?

    @Option(name: .customLong("database-url"), help: "libpq connection string (overrides $CADREFLOW_DATABASE_URL); empty: embedded cluster.")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Data directory for the embedded cluster (overrides $CADREFLOW_DATA_DIR).")
    var dataDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    /// The effective configuration, or a one-line reason why there is none.
    func load() throws -> Configuration {
        try Configuration.load(
            environment: ProcessInfo.processInfo.environment,
            overrides: Overrides(configPath: config, listen: listen, databaseURL: databaseURL, dataDir: dataDir)
        )
    }

    /// A logger writing to standard error at the chosen level, in `log.format`'s form.
    func makeLogger(label: String, configuration: Configuration) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
        let json = configuration.log.format == "json"
        var logger = Logger(label: label) { label -> any LogHandler in
            json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = level
        return logger
    }
}

extension Configuration.Engine {
    /// The folder of workflow definitions to load: `workflows_dir`, or when it is empty the
    /// one built into the binary (found from any working directory).
    func workflowsFolder() throws -> String {
        try DefinitionFiles.workflowsFolder(configured: workflowsDir)
    }

    /// The schedules file to load: `schedules_file`, or when it is empty the built-in one.
    func schedulesPath() throws -> String {
        try DefinitionFiles.schedulesPath(configured: schedulesFile)
    }

    /// The folder of assessment rule sets: `rules_dir`, or when it is empty the built-in one.
    func rulesFolder() throws -> String {
        try DefinitionFiles.rulesFolder(configured: rulesDir)
    }

    /// Where the definitions came from, for the start-up log: `built-in` or the paths.
    var definitionsSource: String {
        definitionFilesSource + (rulesDir.isEmpty ? ", built-in rules" : ", rules \(rulesDir)")
    }

    private var definitionFilesSource: String {
        switch (workflowsDir.isEmpty, schedulesFile.isEmpty) {
        case (true, true): return "built-in"
        case (false, true): return "\(workflowsDir), built-in schedules"
        case (true, false): return "built-in workflows, \(schedulesFile)"
        case (false, false): return "\(workflowsDir), \(schedulesFile)"
        }
    }
}

/// Prints a one-line reason and exits non-zero: how every subcommand reports failure.
func exitWithReason(_ error: any Error) -> ExitCode {
    let reason = String(describing: error).split(separator: "\n").joined(separator: " ")
    FileHandle.standardError.write(Data("cadreflow: \(reason)\n".utf8))
    return ExitCode.failure
}
