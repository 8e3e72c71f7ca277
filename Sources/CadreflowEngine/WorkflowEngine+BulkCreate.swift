import CadreflowPostgres
import Foundation

/// Where the rows of a bulk creation come from: a SELECT yielding (key text, data jsonb).
public struct BulkSource: Sendable {
    /// The SELECT, with its own `$1…` parameters.
    public var sql: String
    /// Its parameters in text form.
    public var parameters: [String?]
    /// About how many rows it yields, when the caller knows: large creations are split
    /// over several connections (see ``WorkflowEngine/Options/bulkWorkers``).
    public var expectedRows: Int?

    /// Rows given by value: keys and their data.
    public static func rows(keys: [String], data: [[String: String]]? = nil) -> BulkSource {
        let json = data?.map { InstanceData.encode($0) } ?? Array(repeating: PostgresJSON(text: "{}"), count: keys.count)
        return BulkSource(sql: "SELECT * FROM unnest($1::text[], $2::jsonb[])", parameters: [keys.postgresText, json.postgresText], expectedRows: keys.count)
    }

    /// Rows from a query of the domain's tables, e.g. every active cadre of a unit.
    public static func query(_ sql: String, _ binds: [any PostgresEncodable] = [], expectedRows: Int? = nil) -> BulkSource {
        BulkSource(sql: sql, parameters: binds.map { $0.postgresText }, expectedRows: expectedRows)
    }

    /// The rows of this source whose key hashes to part `index` of `count`: the parts are
    /// disjoint, cover every row, and are the same whichever session evaluates them under
    /// one snapshot.
    func part(_ index: Int, of count: Int) -> BulkSource {
        var part = self
        part.sql = "SELECT * FROM (\(sql)) AS whole(key, data) WHERE (hashtext(coalesce(whole.key, '')) & 2147483647) % \(count) = \(index)"
        return part
    }
}

/// What a bulk creation did: instances created, and source rows left alone because their
/// key exists already (always 0 with ``EngineTransaction/ExistingKeys/fail``).
public struct BulkCreationCount: Sendable, Equatable {
    /// Instances created.
    public var created: Int
    /// Source rows whose key existed (with ``EngineTransaction/ExistingKeys/skip``).
    public var skipped: Int

    /// A count from its parts.
    public init(created: Int, skipped: Int) {
        self.created = created
        self.skipped = skipped
    }

    static func + (lhs: BulkCreationCount, rhs: BulkCreationCount) -> BulkCreationCount {
        BulkCreationCount(created: lhs.created + rhs.created, skipped: lhs.skipped + rhs.skipped)
    }
}

/// The one statement that creates a bulk creation's instances (or one part of them), their
/// creation history rows and their timers, and answers how many it created and (skipping
/// existing keys) how many source rows it left alone.
struct BulkCreationStatement: Sendable {
    var sql: String
    var parameters: [String?]

    init(
        definition: WorkflowDefinition, source: BulkSource, now: Date, actor: Actor, requestID: String?, timeZone: TimeZone,
        existingKeys: EngineTransaction.ExistingKeys
    ) {
        let base = source.parameters.count
        let armsTimers = definition.timers.contains { $0.state == definition.initial }
        var parameters = source.parameters
        parameters += [definition.name, String(definition.version), definition.initial, now.postgresText, actor.name, actor.role, requestID]
        let p = (1...7).map { "$\(base + $0)" }
        var sql = """
            WITH source AS (\(source.sql)),
            created AS (
                INSERT INTO workflow_instances (workflow, definition_version, key, state, data, created_at, updated_at)
                SELECT \(p[0]), \(p[1])::int, s.key, \(p[2]), s.data, \(p[3])::timestamptz, \(p[3])::timestamptz
                FROM source AS s(key, data)\(existingKeys == .skip ? "\n                ON CONFLICT (key) DO NOTHING" : "")
                RETURNING \(armsTimers ? "id, version, data" : "id")
            ),
            history AS (
                INSERT INTO workflow_history (instance_id, seq, transition, to_state, actor, role, request_id, at)
                SELECT id, 1, 'create', \(p[2]), \(p[4]), \(p[5]), \(p[6]), \(p[3])::timestamptz FROM created
            )
            """
        if let timers = TimerSQL.arm(definition, state: definition.initial, source: "created", now: now, timeZone: timeZone, offset: parameters.count) {
            sql += ", timers AS (\(timers.sql))"
            parameters += timers.parameters
        }
        // Created first (callers reading one scalar get it), then the rows skipped.
        sql += existingKeys == .skip
            ? " SELECT (SELECT count(*) FROM created), (SELECT count(*) FROM source) - (SELECT count(*) FROM created)"
            : " SELECT count(*), 0 FROM created"
        self.sql = sql
        self.parameters = parameters
    }

    /// The statement's answer.
    static func count(_ result: PostgresResult) throws -> BulkCreationCount {
        guard result.rowCount == 1 else { return BulkCreationCount(created: 0, skipped: 0) }
        return BulkCreationCount(created: try result.decode(Int.self, row: 0, column: 0), skipped: try result.decode(Int.self, row: 0, column: 1))
    }
}

extension WorkflowEngine {
    /// Creates one instance per source row: instances, their creation history rows and
    /// their timers, all or nothing. Returns how many were created. With `existingKeys:
    /// .skip`, rows whose key exists are left alone, so running the same creation again
    /// (after a crash halfway through a month opening) creates only what is missing.
    ///
    /// A source expected to yield at least ``Options/parallelBulkMinimum`` rows is split by
    /// key over ``Options/bulkWorkers`` connections that write at the same time under one
    /// snapshot and commit together with two-phase commit (``BulkCreationInParts``); a
    /// smaller one, or a server without prepared transactions, is one statement in one
    /// transaction.
    @discardableResult
    public func bulkCreate(
        workflow: String, source: BulkSource, actor: Actor, requestID: String? = nil, existingKeys: EngineTransaction.ExistingKeys = .fail
    ) async throws -> Int {
        try await bulkCreateCounting(workflow: workflow, source: source, actor: actor, requestID: requestID, existingKeys: existingKeys).created
    }

    /// ``bulkCreate(workflow:source:actor:requestID:existingKeys:)`` that also says how many
    /// source rows it left alone because their key existed (a month opened again).
    public func bulkCreateCounting(
        workflow: String, source: BulkSource, actor: Actor, requestID: String? = nil, existingKeys: EngineTransaction.ExistingKeys = .fail
    ) async throws -> BulkCreationCount {
        guard let definition = catalog.current(workflow) else { throw EngineError(.invalid, "unknown workflow \(workflow)") }
        let context = self.context
        let parts = options.bulkWorkers
        do {
            if parts > 1, let expected = source.expectedRows, expected >= options.parallelBulkMinimum {
                let now = context.clock.now()
                let statements = (0..<parts).map { index in
                    BulkCreationStatement(
                        definition: definition, source: source.part(index, of: parts), now: now, actor: actor,
                        requestID: requestID, timeZone: context.timeZone, existingKeys: existingKeys
                    )
                }
                let operation = BulkCreationInParts(
                    connectionString: connectionString, statements: statements, workflow: workflow, actor: actor,
                    requestID: requestID, now: now, logger: logger
                )
                if let counted = try await operation.run() { return counted }
            }
            return try await pool.withTransaction { connection in
                // The created rows pass through a CTE: keep a million of them in memory.
                try connection.execute("SET LOCAL work_mem = '256MB'")
                return try EngineTransaction(connection: connection, context: context)
                    .createManyCounting(workflow: workflow, source: source, actor: actor, requestID: requestID, existingKeys: existingKeys)
            }
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw EngineError(.invalid, "bulk creation of \(workflow): a key exists already (\(error.detail ?? error.message)); nothing was created")
        } catch {
            throw EngineError.classify(error)
        }
    }
}
