import ArgumentParser
import CadreflowConfig
import CadreflowDatabase
import CadreflowEngine
import CadreflowPostgres
import CadreflowServer
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
            logger = try options.makeLogger(label: "cadreflow")
            database = try ServiceDatabase.open(
                url: configuration.database.url, dataDirectory: configuration.database.dataDir,
                embeddedPort: configuration.database.embeddedPort, logger: logger
            )
        } catch {
            throw exitWithReason(error)
        }
        let pool = PostgresPool(
            configuration: .init(
                connectionString: database.connectionString,
                size: configuration.database.poolSize,
                checkoutTimeout: .milliseconds(configuration.database.checkoutTimeoutMs),
                healthCheckAfterIdle: .milliseconds(configuration.database.healthCheckIdleMs)
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
        let scheduler: Scheduler
        let runner: Task<Void, Never>
        let server: Task<Void, any Error>
        do {
            (engine, scheduler, runner) = try await startEngine(configuration: configuration, database: database, pool: pool, logger: logger)
            let accounts = AccountStore(pool: pool, lockout: .init(failures: configuration.security.lockoutFailures, seconds: configuration.security.lockoutSeconds))
            try await accounts.bootstrapAdmin(password: ProcessInfo.processInfo.environment["CADREFLOW_ADMIN_PASSWORD"], logger: logger)
            let limits = configuration.protocolLimits
            let context = ServerContext(
                pool: pool, engine: engine, scheduler: scheduler, accounts: accounts,
                limits: ProtocolLimits(
                    maxLineBytes: limits.maxLineBytes, maxArguments: limits.maxArguments, maxUploadBytes: limits.maxUploadBytes,
                    idleTimeoutSeconds: limits.idleTimeoutSeconds, maxConnections: limits.maxConnections,
                    maxConnectionsPerAccount: limits.maxConnectionsPerAccount
                ),
                version: CadreflowVersion.current, logger: logger
            )
            server = try await startServer(configuration: configuration, context: context, logger: logger)
        } catch {
            pool.close()
            try? database.stopEmbedded()
            throw exitWithReason(error)
        }

        let signal = await ShutdownSignal.wait(orEndOf: server)
        logger.notice("shutting down", metadata: ["signal": "\(signal)"])
        server.cancel()
        _ = await server.result
        runner.cancel()
        await runner.value
        engine.close()
        pool.close()
        do {
            try database.stopEmbedded()
        } catch {
            logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }
}

extension ServeCommand {
    /// Loads and validates the workflow definitions and schedules, registers them, and
    /// starts the engine's timers and schedules (the first round is the catch-up).
    func startEngine(
        configuration: Configuration, database: ServiceDatabase, pool: PostgresPool, logger: Logger
    ) async throws -> (WorkflowEngine, Scheduler, Task<Void, Never>) {
        let hooks = PendingDomainHooks.hooks
        let definitions = try DefinitionLoader.loadFolder(configuration.engine.workflowsDir, hooks: hooks.names)
        let catalog = try await pool.withConnection { connection in
            try WorkflowCatalog.register(definitions, connection: connection)
        }
        let engine = WorkflowEngine(
            catalog: catalog, hooks: hooks, pool: pool, connectionString: database.connectionString,
            options: .init(lanes: configuration.engine.writers, maxBatch: configuration.engine.maxBatch, timeZone: configuration.timeZone),
            logger: logger
        )
        let schedules = try ScheduleLoader.load(file: configuration.engine.schedulesFile)
        let active = schedules.filter { PendingDomainHooks.actions[$0.action] != nil }
        for schedule in schedules where PendingDomainHooks.actions[schedule.action] == nil {
            logger.warning("schedule inactive: this build does not provide its action", metadata: ["schedule": "\(schedule.name)", "action": "\(schedule.action)"])
        }
        let scheduler = try Scheduler(schedules: active, actions: PendingDomainHooks.actions, pool: pool, timeZone: configuration.timeZone, logger: logger)
        let runner = EngineRunner(engine: engine, scheduler: scheduler, interval: .milliseconds(configuration.engine.tickMs), logger: logger)
        logger.notice("workflow engine ready", metadata: [
            "workflows": "\(catalog.definitions.map { "\($0.name) v\($0.version)" }.joined(separator: ", "))",
            "schedules": "\(active.count) active of \(schedules.count)",
        ])
        return (engine, scheduler, Task { await runner.run() })
    }

    /// Starts the admin protocol listener and waits until it accepts connections; a port
    /// that cannot be bound is a start-up failure.
    func startServer(configuration: Configuration, context: ServerContext, logger: Logger) async throws -> Task<Void, any Error> {
        let (ready, readyContinuation) = AsyncStream<String>.makeStream()
        let host = configuration.listenHost
        let port = configuration.listenPort
        let tls = configuration.server.tlsCertificate.isEmpty ? nil : try TLSSettings(
            certificatePath: configuration.server.tlsCertificate, privateKeyPath: configuration.server.tlsPrivateKey
        )
        let server = Task {
            defer { readyContinuation.finish() }
            try await ProtocolServer.run(host: host, port: port, context: context, tls: tls) { address in
                readyContinuation.yield("\(address)")
            }
        }
        for await address in ready {
            logger.notice("ready", metadata: ["listen": "\(configuration.server.listen)", "address": "\(address)", "tls": "\(tls != nil)"])
            return server
        }
        if case .failure(let error) = await server.result {
            throw StartupFailure("cannot listen on \(configuration.server.listen): \(error)")
        }
        throw StartupFailure("cannot listen on \(configuration.server.listen)")
    }
}

/// A start-up failure with its one-line reason.
struct StartupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits for SIGINT or SIGTERM (or the end of a task that should run forever).
enum ShutdownSignal {
    /// Returns the name of the first shutdown signal received, or why `task` ended.
    static func wait(orEndOf task: Task<Void, any Error>) async -> String {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let watch = SignalWatch(signals: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]) { continuation.yield($0) }
        defer { watch.cancel() }
        let watcher = Task {
            let result = await task.result
            continuation.yield("the listener stopped: \(result)")
        }
        defer { watcher.cancel() }
        for await name in stream { return name }
        return "end of signal stream"
    }
}

/// Dispatch sources for some signals, whose default action is turned off while watched.
///
/// `@unchecked Sendable`: `sources` is written once in `init` and only read afterwards.
final class SignalWatch: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(signals: [(Int32, String)], handler: @escaping @Sendable (String) -> Void) {
        let queue = DispatchQueue(label: "cadreflow.signals")
        sources = signals.map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(name) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
