import CadreflowDatabase
import CadreflowEngine
import CadreflowPostgres
import CadreflowTesting
import Foundation

/// A migrated test database with an engine on it, a manual clock and a small definition.
struct EngineHarness {
    let database: TestDatabase
    let pool: PostgresPool
    let engine: WorkflowEngine
    let clock: ManualClock
    static let hanoi = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current

    /// A small review workflow: draft → submitted → approved | rejected, with a timer.
    static let review = WorkflowDefinition(
        name: "review", version: 1, states: ["draft", "submitted", "approved", "rejected", "expired"],
        initial: "draft", final: ["approved", "rejected", "expired"],
        transitions: [
            TransitionDefinition(name: "submit", from: ["draft"], to: "submitted", roles: ["cadre", "manager"], requires: ["score"]),
            TransitionDefinition(name: "approve", from: ["submitted"], to: "approved", roles: ["manager"], guardHook: "score_high_enough", effectHook: "record_note"),
            TransitionDefinition(name: "reject", from: ["submitted"], to: "rejected", roles: ["manager"], requires: ["reason"]),
            TransitionDefinition(name: "expire", from: ["draft"], to: "expired", roles: ["system"]),
            TransitionDefinition(name: "remind", from: ["submitted"], to: "submitted", roles: ["system"]),
        ],
        timers: [
            TimerDefinition(state: "draft", afterSeconds: 3600, fire: "expire"),
            TimerDefinition(state: "submitted", atField: "due", offsetSeconds: -86_400, fire: "remind"),
        ]
    )

    /// Hooks for ``review``: the guard wants score ≥ 50; the effect writes a note row,
    /// failing on purpose when the note is "boom" (a CHECK violation).
    static let hooks = WorkflowHooks(
        guards: ["score_high_enough": { context in
            if Int(context.instance?.data["score"] ?? "") ?? 0 < 50 { throw GuardRefusal("score below 50") }
        }],
        effects: ["record_note": { context in
            try context.connection.query(
                "INSERT INTO review_notes (instance_id, note) VALUES ($1, $2)",
                context.instance?.id ?? 0, context.fields["note"] ?? "approved"
            )
        }]
    )

    init(definitions: [WorkflowDefinition] = [EngineHarness.review], hooks: WorkflowHooks = EngineHarness.hooks,
         start: Date = Date(timeIntervalSince1970: 1_717_200_000), lanes: Int = 2,
         bulkWorkers: Int = 2, parallelBulkMinimum: Int = 50_000) async throws {
        database = try TestCluster.shared().makeDatabase(prefix: "engine")
        let connection = try database.connect()
        try Migrator(migrations: Migration.bundled()).migrate(connection)
        try connection.execute("CREATE TABLE review_notes (instance_id bigint, note text CHECK (note <> 'boom'))")
        let catalog = try WorkflowCatalog.register(definitions, connection: connection)
        pool = database.pool(size: 4)
        clock = ManualClock(start)
        engine = WorkflowEngine(
            catalog: catalog, hooks: hooks, pool: pool, connectionString: database.connectionString, clock: clock,
            options: .init(lanes: lanes, timeZone: EngineHarness.hanoi, bulkWorkers: bulkWorkers, parallelBulkMinimum: parallelBulkMinimum)
        )
    }

    /// A second engine on the same database (another service instance).
    func secondEngine() throws -> WorkflowEngine {
        WorkflowEngine(
            catalog: engine.catalog, hooks: EngineHarness.hooks, pool: database.pool(size: 2),
            connectionString: database.connectionString, clock: clock, options: .init(lanes: 2, timeZone: EngineHarness.hanoi)
        )
    }

    /// The vocabulary the service passes: its roles and actors, and the given hooks.
    static func vocabulary(_ hooks: HookNames) -> DefinitionVocabulary {
        DefinitionVocabulary(roles: ["admin", "organizer", "manager", "viewer", "cadre", "system"], hooks: hooks)
    }

    func shutdown() {
        engine.close()
        pool.close()
    }

    func count(_ sql: String, _ binds: [any PostgresEncodable] = []) throws -> Int {
        try database.connect().query(sql, binds).scalar(Int.self) ?? -1
    }
}
