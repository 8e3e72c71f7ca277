import ArgumentParser
import CadreflowConfig
import CadreflowDefinitions
import CadreflowDomain
import CadreflowEngine
import CadreflowRules
import Foundation

/// `cadreflow check`: validates the configuration, the workflow definitions, the
/// assessment rule sets and the schedules as `serve` would load them, without starting
/// anything or touching a database; exits non-zero naming the first problem.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration, workflow definitions, rule sets and schedules, without starting anything."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        do {
            let configuration = try options.load()
            let engine = configuration.engine
            let definitions = try DefinitionLoader.loadFolder(engine.workflowsFolder(), vocabulary: Domain.vocabulary)
            let rules = try RuleSetCatalog.load(folder: engine.rulesFolder())
            let schedules = try ScheduleLoader.load(file: engine.schedulesPath())
            let inactive = schedules.filter { !Domain.scheduleActionNames.contains($0.action) }.map(\.name)
            print("configuration: ok (listen \(configuration.server.listen), time zone \(configuration.server.timeZoneIdentifier), "
                + "database \(configuration.usesEmbeddedDatabase ? "embedded under \(configuration.database.dataDir)" : "external"))")
            print("workflows: \(definitions.map { "\($0.name) v\($0.version)" }.sorted().joined(separator: ", ")) (\(engine.definitionsSource))")
            print("rule sets: \(rules.ruleSets.map { "\($0.name) from \($0.from)" }.joined(separator: ", "))")
            print("schedules: \(schedules.count)\(inactive.isEmpty ? "" : "; inactive in this build: \(inactive.joined(separator: ", "))")")
        } catch {
            throw exitWithReason(error)
        }
    }
}
