import ArgumentParser
import CadreflowDatabase
import CadreflowDemo
import Foundation
import Logging

/// `cadreflow demo`: builds a realistic demo city through the domain's services.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a demo city on Hanoi's real units (before and after 1 July 2025) with seeded cadres and accounts.",
        discussion: """
            The same --cadres and --seed always give the same city. The accounts' passwords are random, \
            printed nowhere but the --passwords file (created with mode 600; an existing file is not overwritten). \
            A database that already holds units is refused unless --add is given.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "How many cadres.") var cadres = 20_000
    @Option(help: "The seed of the generator.") var seed: UInt64 = 1
    @Option(help: "Where to write the accounts' passwords.") var passwords = "demo-passwords.tsv"
    @Flag(help: "Add to a database that already holds units.") var add = false
    @Option(help: "Assessment months to fill in, e.g. 2026-01..2026-11 (after the city is built; with --months-only, on the city already there).") var months: String?
    @Flag(help: "Only fill in --months (and --exams, --assignments), on a demo city loaded before.") var monthsOnly = false
    @Option(help: "Competitive exams to hold for deputy posts (most carried through to an appointment).") var exams = 0
    @Option(help: "Rotations, secondments and position changes to approve, starting today.") var assignments = 0

    func validate() throws {
        guard (0...1_000_000).contains(cadres) else { throw ValidationError("--cadres: 0 to 1,000,000") }
        if let months {
            do { _ = try DemoMonths.parse(months) } catch { throw ValidationError("--months: \(error)") }
        }
        if monthsOnly && months == nil && exams == 0 && assignments == 0 { throw ValidationError("--months-only needs --months, --exams or --assignments") }
        guard (0...10_000).contains(exams), (0...10_000).contains(assignments) else { throw ValidationError("--exams, --assignments: 0 to 10,000") }
    }

    func run() async throws {
        let logger: Logger
        let database: ServiceDatabase
        do {
            let configuration = try options.load()
            logger = try options.makeLogger(label: "cadreflow.demo", configuration: configuration)
            database = try ServiceDatabase.open(
                url: configuration.database.url, dataDirectory: configuration.database.dataDir,
                embeddedPort: configuration.database.embeddedPort, logger: logger
            )
            defer { if !database.adoptedRunningCluster { try? database.stopEmbedded() } }
            try database.migrate(logger: logger)
            var started = Date()
            if !monthsOnly {
                let plan = DemoCityPlan.make(cadres: cadres, seed: seed, reference: try HanoiReference.bundled())
                let loader = DemoLoader(connectionString: database.connectionString, timeZone: configuration.timeZone, logger: logger)
                let summary = try await loader.load(plan, passwordsFile: passwords, allowExisting: add)
                print("demo city: \(summary) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; passwords in \(passwords)")
            }
            if let months {
                started = Date()
                let filler = DemoMonths(connectionString: database.connectionString, timeZone: configuration.timeZone, seed: seed, logger: logger)
                let summary = try await filler.fill(try DemoMonths.parse(months))
                print("demo months: \(summary) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            }
            if exams > 0 || assignments > 0 {
                started = Date()
                let filler = DemoWorkflows(connectionString: database.connectionString, timeZone: configuration.timeZone, seed: seed, logger: logger)
                let summary = try await filler.fill(exams: exams, assignments: assignments)
                print("demo exams and assignments: \(summary) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            throw exitWithReason(error)
        }
    }
}
