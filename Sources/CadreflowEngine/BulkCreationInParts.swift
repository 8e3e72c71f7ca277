import CadreflowPostgres
import Dispatch
import Foundation
import Logging

/// One bulk creation split over several connections, so that several server backends
/// (cores) write it at once, and still all or nothing.
///
/// 1. A coordinating connection takes a session advisory lock on the operation: while it
///    is held, nobody else resolves the operation's prepared parts.
/// 2. Every part (one connection each) opens a REPEATABLE READ transaction on a snapshot
///    the coordinator exports (a transaction that exported a snapshot cannot be prepared),
///    so all read the same source rows; the first part also records the operation in
///    `workflow_bulk_operations`.
/// 3. The parts' statements run at the same time; each is then prepared
///    (`PREPARE TRANSACTION 'cadreflow-bulk:<operation>:<part>'`). Any failure before this
///    point rolls every part back.
/// 4. Committing the first part decides the operation; the others follow. A service that
///    dies in between leaves prepared parts that ``WorkflowEngine/resolveInDoubtBulkParts()``
///    commits (the operation's row exists) or rolls back (it does not).
///
/// Readers may see the first part's instances a few milliseconds before the others'.
struct BulkCreationInParts: Sendable {
    /// The advisory lock class of bulk operations (the object is `hashtext(operation)`).
    static let lockClass = 0x4346_4255
    /// The prefix of the global transaction ids of prepared parts.
    static let gidPrefix = "cadreflow-bulk:"

    let connectionString: String
    let statements: [BulkCreationStatement]
    let workflow: String
    let actor: Actor
    let requestID: String?
    let now: Date
    let logger: Logger
    let operation = UUID().uuidString.lowercased()

    /// Runs the parts on a thread of their own and returns how many instances they created
    /// (and source rows they skipped), or nil when the server cannot prepare that many transactions (the caller then runs
    /// the creation in one transaction).
    func run() async throws -> BulkCreationCount? {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.runBlocking() })
            }
        }
    }

    /// Whether `id` is hex digits and dashes only (snapshot and operation ids), so it may
    /// stand as a literal in the SQL text of the statements that take no parameters.
    static func isHexID(_ id: some StringProtocol) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    private func gid(_ part: Int) -> String { "\(Self.gidPrefix)\(operation):\(part)" }

    private func runBlocking() throws -> BulkCreationCount? {
        let coordinator = try PostgresConnection.connect(connectionString)
        defer { coordinator.close() }
        let slots = try coordinator.query("SELECT current_setting('max_prepared_transactions')::int").scalar(Int.self) ?? 0
        guard slots >= statements.count else {
            logger.info("bulk creation in one transaction: the server allows too few prepared transactions", metadata: [
                "max_prepared_transactions": "\(slots)", "parts": "\(statements.count)",
            ])
            return nil
        }
        let connections = try statements.map { _ in try PostgresConnection.connect(connectionString) }
        defer { for connection in connections { connection.close() } }
        try coordinator.query("SELECT pg_advisory_lock($1, hashtext($2))", Self.lockClass, operation)
        defer { _ = try? coordinator.query("SELECT pg_advisory_unlock($1, hashtext($2))", Self.lockClass, operation) }

        var prepared: [String] = []
        let created: BulkCreationCount
        do {
            created = try writeAndPrepare(connections, coordinator: coordinator, prepared: &prepared)
        } catch {
            for connection in connections + [coordinator] where connection.isInTransaction { try? connection.execute("ROLLBACK") }
            // A part this cannot roll back stays prepared without a decision: the resolver rolls it back.
            for gid in prepared { try? coordinator.execute("ROLLBACK PREPARED '\(gid)'") }
            throw error
        }

        do {
            try coordinator.execute("COMMIT PREPARED '\(gid(0))'")
        } catch {
            for gid in prepared.dropFirst() { try? coordinator.execute("ROLLBACK PREPARED '\(gid)'") }
            throw EngineError(.unavailable, "bulk creation of \(workflow): the first part did not commit (\(error)); if it did, the rest is committed at the engine's next round")
        }
        for gid in prepared.dropFirst() {
            do {
                try coordinator.execute("COMMIT PREPARED '\(gid)'")
            } catch {
                // Decided already: the resolver commits it at the engine's next round.
                logger.warning("a prepared part of a decided bulk creation did not commit yet", metadata: ["gid": "\(gid)", "error": "\(error)"])
            }
        }
        return created
    }

    /// Steps 2 and 3: every part written under one snapshot, then prepared. Returns the count.
    private func writeAndPrepare(_ connections: [PostgresConnection], coordinator: PostgresConnection, prepared: inout [String]) throws -> BulkCreationCount {
        try coordinator.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        let snapshot = try coordinator.query("SELECT pg_export_snapshot()").scalar(String.self) ?? ""
        // SET TRANSACTION SNAPSHOT takes a literal; an exported snapshot id is hex digits and dashes.
        guard Self.isHexID(snapshot) else {
            throw EngineError(.unavailable, "the server exported an unexpected snapshot id \(snapshot)")
        }
        for connection in connections {
            // The created rows pass through a CTE: keep them in memory.
            try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT '\(snapshot)'; SET LOCAL work_mem = '256MB'")
        }
        // Every part has the snapshot now; the coordinator's transaction has done its job.
        try coordinator.execute("COMMIT")
        try connections[0].query(
            "INSERT INTO workflow_bulk_operations (id, workflow, parts, actor, request_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
            operation, workflow, connections.count, actor.name, requestID, now
        )
        for (connection, statement) in zip(connections, statements) {
            try connection.start(statement.sql, parameters: statement.parameters)
        }
        var created = BulkCreationCount(created: 0, skipped: 0)
        var failure: (any Error)?
        for connection in connections {
            do {
                created = created + (try BulkCreationStatement.count(connection.awaitResult()))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        for (index, connection) in connections.enumerated() {
            // Throws when the part had failed (PREPARE then answers ROLLBACK).
            try connection.endTransaction("PREPARE TRANSACTION '\(gid(index))'")
            prepared.append(gid(index))
        }
        return created
    }
}

extension WorkflowEngine {
    /// Finishes bulk creations whose service died between preparing and committing their
    /// parts: a part whose operation is recorded (its first part committed) is committed,
    /// any other rolled back. Operations whose coordinator still holds its lock are left
    /// alone. The engine runner calls this every round. Returns the parts committed and
    /// rolled back.
    @discardableResult
    public func resolveInDoubtBulkParts() async throws -> (committed: Int, rolledBack: Int) {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1) ORDER BY gid",
                BulkCreationInParts.gidPrefix
            )
            var parts: [String: [String]] = [:]
            for row in rows.rows {
                let gid = try row.decode(0, as: String.self)
                let fields = gid.dropFirst(BulkCreationInParts.gidPrefix.count).split(separator: ":")
                // Only ids this engine makes go into the SQL text below.
                guard fields.count == 2, BulkCreationInParts.isHexID(fields[0]), fields[1].allSatisfy(\.isNumber) else { continue }
                parts[String(fields[0]), default: []].append(gid)
            }
            var outcome = (committed: 0, rolledBack: 0)
            for (operation, gids) in parts {
                let free = try connection.query("SELECT pg_try_advisory_lock($1, hashtext($2))", BulkCreationInParts.lockClass, operation).scalar(Bool.self) ?? false
                guard free else { continue }
                defer { _ = try? connection.query("SELECT pg_advisory_unlock($1, hashtext($2))", BulkCreationInParts.lockClass, operation) }
                let decided = try connection.query("SELECT 1 FROM workflow_bulk_operations WHERE id = $1", operation).rowCount > 0
                for gid in gids {
                    do {
                        try connection.execute("\(decided ? "COMMIT" : "ROLLBACK") PREPARED '\(gid)'")
                        if decided { outcome.committed += 1 } else { outcome.rolledBack += 1 }
                    } catch let error as PostgresError where error.code == .undefinedObject {
                        // Its coordinator finished it after the list was read.
                    }
                }
            }
            return outcome
        }
    }
}
