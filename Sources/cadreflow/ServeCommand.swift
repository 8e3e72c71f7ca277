import ArgumentParser
import CadreflowCommands
import CadreflowConfig
import CadreflowDatabase
import CadreflowDomain
import CadreflowEngine
import CadreflowObservability
import CadreflowPostgres
import CadreflowRules
import CadreflowServer
import ServiceLifecycle
import Dispatch
import Foundation
import Logging

/// `cadreflow serve`: runs the service until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service (starting its embedded PostgreSQL when no database URL is configured)."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let logger: Logger
        let configuration: Configuration
        let database: ServiceDatabase
        do {
            configuration = try options.load()
            logger = try options.makeLogger(label: "cadreflow", configuration: configuration)
            database = try ServiceDatabase.open(
                url: configuration.database.url, dataDirectory: configuration.database.dataDir,
                embeddedPort: configuration.database.embeddedPort, logger: logger
            )
        } catch {
            throw exitWithReason(error)
        }
        // Metrics are collected only when something serves them; the pool, the engine and
        // the server take their metric handles as they are made, so bootstrap comes first.
        let registry = configuration.metrics.listen.isEmpty ? nil : ServeObservability.bootstrapMetrics()
        let pool = PostgresPool(
            configuration: .init(
                connectionString: database.connectionString,
                size: configuration.database.poolSize,
                checkoutTimeout: .milliseconds(configuration.database.checkoutTimeoutMs),
                healthCheckAfterIdle: .milliseconds(configuration.database.healthCheckIdleMs),
                readConnections: configuration.database.readConnections,
                inlineReads: configuration.database.eventLoopReads == "yes"
            ),
            logger: logger
        )
        do {
            try database.migrate(logger: logger)
            let server = try await pool.withConnection { connection in
                try connection.query("SHOW server_version").scalar(String.self) ?? "?"
            }
            logger.notice("database ready", metadata: [
                "postgres": "\(server)",
                "database": "\(database.embedded.map { "embedded at \($0.root)" } ?? "external")",
                "time_zone": "\(configuration.server.timeZoneIdentifier)",
            ])
        } catch {
            pool.close()
            try? database.stopEmbedded()
            throw exitWithReason(error)
        }

        let engine: WorkflowEngine
        let services: [any Service]
        do {
            let scheduler: Scheduler
            let runner: EngineRunner
            let domain: Domain
            (engine, domain, scheduler, runner) = try await startEngine(configuration: configuration, database: database, pool: pool, logger: logger)
            let accounts = AccountStore(pool: pool, lockout: .init(failures: configuration.security.lockoutFailures, seconds: configuration.security.lockoutSeconds))
            try await accounts.bootstrapAdmin(password: ProcessInfo.processInfo.environment["CADREFLOW_ADMIN_PASSWORD"], logger: logger)
            let limits = configuration.protocolLimits
            let context = ServerContext(
                pool: pool, accounts: accounts,
                limits: ProtocolLimits(
                    maxLineBytes: limits.maxLineBytes, maxArguments: limits.maxArguments, maxUploadBytes: limits.maxUploadBytes,
                    idleTimeoutSeconds: limits.idleTimeoutSeconds, maxConnections: limits.maxConnections,
                    maxConnectionsPerAccount: limits.maxConnectionsPerAccount, listenBacklog: limits.listenBacklog
                ),
                version: CadreflowVersion.current, logger: logger,
                groups: CadreflowCommandGroups.all(domain: domain, engine: engine, scheduler: scheduler)
            )
            let tls = configuration.server.tlsCertificate.isEmpty ? nil : try TLSSettings(
                certificatePath: configuration.server.tlsCertificate, privateKeyPath: configuration.server.tlsPrivateKey
            )
            let listen = configuration.server.listen
            let listener = ProtocolService(host: configuration.listenHost, port: configuration.listenPort, context: context, tls: tls) { address in
                logger.notice("ready", metadata: ["listen": "\(listen)", "address": "\(address)", "tls": "\(tls != nil)"])
            }
            let socketPath = configuration.server.unixSocket
            let socketListener = socketPath.isEmpty ? [] : [ProtocolService(.unixSocket(path: socketPath), context: context, tls: nil) { _ in
                logger.notice("ready", metadata: ["listen": "unix:\(socketPath)"])
            }]
            let liveness = EngineLiveness()
            services = [listener] + socketListener + [EngineRunnerService(runner: runner, liveness: liveness)]
                + (database.embedded.map { [ClusterSupervisorService(supervisor: ClusterSupervisor(cluster: $0, logger: logger))] } ?? [])
                + (try registry.flatMap { registry in
                    guard let (host, port) = configuration.metricsAddress else { return nil }
                    let routes = ProbeRoutes(registry: registry, readiness: try ServeObservability.readiness(pool: pool, engine: liveness))
                    return [ProbeService(host: host, port: port, routes: routes) { bound in
                        logger.notice("metrics ready", metadata: ["listen": "\(configuration.metrics.listen)", "address": "\(bound)"])
                    }]
                } ?? [])
        } catch {
            pool.close()
            try? database.stopEmbedded()
            throw exitWithReason(error)
        }

        // SIGTERM / SIGINT: stop accepting, let connections answer what they have read,
        // stop the engine runner; then close the pool and the embedded database. Past
        // `server.shutdown_timeout_ms` whatever still runs is cancelled.
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(configuration.server.shutdownTimeoutMs)
        let group = ServiceGroup(configuration: groupConfiguration)
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        logger.notice("shutting down")
        engine.close()
        pool.close()
        do {
            try database.stopEmbedded()
        } catch {
            logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
        if let failure { throw exitWithReason(failure) }
    }
}

/// The embedded cluster's supervisor as a service: cancelled on graceful shutdown (before
/// the cluster is stopped, so that the stop is not taken for a death).
struct ClusterSupervisorService: Service {
    let supervisor: ClusterSupervisor

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await supervisor.run()
        }
    }
}

/// The engine's timers and schedules as a service: cancelled on graceful shutdown.
struct EngineRunnerService: Service {
    let runner: EngineRunner
    let liveness: EngineLiveness

    func run() async throws {
        liveness.set(true)
        defer { liveness.set(false) }
        await cancelWhenGracefulShutdown {
            await runner.run()
        }
    }
}

extension ServeCommand {
    /// Loads and validates the workflow definitions, the assessment rule sets and the
    /// schedules, registers the definitions, builds the domain on the engine, and starts the
    /// engine's timers and schedules (the first round is the catch-up).
    func startEngine(
        configuration: Configuration, database: ServiceDatabase, pool: PostgresPool, logger: Logger
    ) async throws -> (WorkflowEngine, Domain, Scheduler, EngineRunner) {
        let retirement = RetirementSchedule(configuration.retirement)
        let assignmentPolicy = AssignmentPolicy(configuration.assignment)
        let hooks = Domain.hooks(assignmentPolicy: assignmentPolicy, retirement: retirement)
        let definitions = try DefinitionLoader.loadFolder(configuration.engine.workflowsFolder(), vocabulary: Domain.vocabulary)
        let catalog = try await pool.withConnection { connection in
            try WorkflowCatalog.register(definitions, connection: connection)
        }
        let engine = WorkflowEngine(
            catalog: catalog, hooks: hooks, pool: pool, connectionString: database.connectionString,
            options: .init(
                lanes: configuration.engine.writers, maxBatch: configuration.engine.maxBatch, timeZone: configuration.timeZone,
                bulkWorkers: configuration.engine.bulkWorkers
            ),
            logger: logger
        )
        let rules = try RuleSetCatalog.load(folder: configuration.engine.rulesFolder())
        let domain = Domain(
            pool: pool, engine: engine, calendar: Domain.calendar(timeZone: configuration.timeZone), rules: rules,
            retirement: retirement, examPolicy: ExamPolicy(configuration.exam), assignmentPolicy: assignmentPolicy
        )
        let actions = domain.scheduleActions
        let schedules = try ScheduleLoader.load(file: configuration.engine.schedulesPath())
        let active = schedules.filter { actions[$0.action] != nil }
        for schedule in schedules where actions[schedule.action] == nil {
            logger.warning("schedule inactive: this build does not provide its action", metadata: ["schedule": "\(schedule.name)", "action": "\(schedule.action)"])
        }
        let scheduler = try Scheduler(schedules: active, actions: actions, engine: engine, timeZone: configuration.timeZone, logger: logger)
        let runner = EngineRunner(engine: engine, scheduler: scheduler, interval: .milliseconds(configuration.engine.tickMs), logger: logger)
        logger.notice("workflow engine ready", metadata: [
            "workflows": "\(catalog.definitions.map { "\($0.name) v\($0.version)" }.joined(separator: ", "))",
            "schedules": "\(active.count) active of \(schedules.count)",
            "rule_sets": "\(rules.ruleSets.map { "\($0.name) from \($0.from)" }.joined(separator: ", "))",
            "definitions": "\(configuration.engine.definitionsSource)",
        ])
        return (engine, domain, scheduler, runner)
    }
}

extension AssignmentPolicy {
    /// The limits `[assignment]` configures.
    init(_ settings: Configuration.Assignment) {
        self.init(
            rotationMinimumMonths: settings.rotationMinimumMonths, rotationMonthsBeforeRetirement: settings.rotationMonthsBeforeRetirement,
            secondmentMaximumMonths: settings.secondmentMaximumMonths, nursingChildMonths: settings.nursingChildMonths
        )
    }
}

extension ExamPolicy {
    /// The policy `[exam]` configures.
    init(_ settings: Configuration.Exam) {
        self.init(
            minCandidates: settings.minCandidates, writtenWeightPercent: settings.writtenWeightPercent, passMark: Mark(hundredths: settings.passMark * 100),
            planningRequired: settings.planningRequired == "yes", disciplineYears: settings.disciplineYears, monthsBeforeRetirement: settings.monthsBeforeRetirement
        )
    }
}

extension RetirementSchedule {
    /// The schedule `[retirement]` configures.
    init(_ settings: Configuration.Retirement) {
        self.init(
            baseYear: settings.baseYear,
            male: Line(before: settings.maleBeforeMonths, start: settings.maleStartMonths, stepPerYear: settings.maleStepMonths, cap: settings.maleCapMonths),
            female: Line(before: settings.femaleBeforeMonths, start: settings.femaleStartMonths, stepPerYear: settings.femaleStepMonths, cap: settings.femaleCapMonths)
        )
    }
}
