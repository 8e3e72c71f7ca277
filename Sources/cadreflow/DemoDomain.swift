import CadreflowDefinitions
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation
import Logging

/// The domain the demo fillers drive, on a pool of their own: the built-in definitions
/// registered, an engine with the domain's hooks, and the services. `close()` when done.
struct DemoDomain {
    let pool: PostgresPool
    let engine: WorkflowEngine
    let domain: Domain

    init(connectionString: String, timeZone: TimeZone, poolSize: Int, logger: Logger) async throws {
        pool = PostgresPool(configuration: .init(connectionString: connectionString, size: poolSize), logger: logger)
        do {
            let definitions = try DefinitionLoader.loadFolder(DefinitionFiles.workflowsFolder(configured: ""), vocabulary: Domain.vocabulary)
            let catalog = try await pool.withConnection { try WorkflowCatalog.register(definitions, connection: $0) }
            engine = WorkflowEngine(catalog: catalog, hooks: Domain.hooks, pool: pool, connectionString: connectionString, options: .init(timeZone: timeZone), logger: logger)
            domain = Domain(
                pool: pool, engine: engine, calendar: Domain.calendar(timeZone: timeZone),
                rules: try RuleSetCatalog.load(folder: DefinitionFiles.rulesFolder(configured: ""))
            )
        } catch {
            pool.close()
            throw error
        }
    }

    func close() {
        engine.close()
        pool.close()
    }
}
