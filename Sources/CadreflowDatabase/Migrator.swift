import CadreflowPostgres
import Foundation
import Logging

/// Applies migrations in order, each in its own transaction, and records each one with
/// its checksum in `schema_migrations`.
///
/// A session-level advisory lock makes concurrent starts take turns, so every migration
/// is applied exactly once. A recorded migration whose file changed is refused, and so
/// is a database that has migrations this build does not know.
public struct Migrator: Sendable {
    /// The advisory lock key that serialises migrators on one database.
    public static let lockKey: Int64 = 0x43_46_4D_49_47 // "CFMIG"

    /// The migrations this migrator knows, in order.
    public let migrations: [Migration]
    private let logger: Logger

    /// A migrator for the given migrations (sorted by version).
    public init(migrations: [Migration], logger: Logger = Logger(label: "cadreflow.migrate")) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// A migration's state in a database.
    public struct Status: Sendable, Equatable {
        /// The migration.
        public var migration: Migration
        /// When it was applied, or nil when pending.
        public var appliedAt: Date?
    }

    /// Applies the pending migrations and returns them (empty when the database is current).
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Migration] {
        try connection.query("SELECT pg_advisory_lock($1)", Migrator.lockKey)
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", Migrator.lockKey) }
        // Created only when missing: a role that may not create tables (the serving role)
        // then finds the migrations applied and applies none.
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar(Bool.self) ?? false
        if !exists { try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """) }
        let applied = try recorded(connection)
        try verify(applied)
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            let started = ContinuousClock.now
            do {
                try connection.transaction { connection in
                    try connection.execute(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version, migration.name, migration.checksum
                    )
                }
            } catch let error as PostgresError {
                throw DatabaseSetupError("migration \(migration.name) failed and was rolled back: \(error)")
            }
            logger.info("applied migration", metadata: ["name": "\(migration.name)", "took": "\(ContinuousClock.now - started)"])
            done.append(migration)
        }
        return done
    }

    /// Every known migration with the time it was applied, or nil when pending.
    public func status(_ connection: PostgresConnection) throws -> [Status] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar(Bool.self) ?? false
        let applied = exists ? try recorded(connection) : [:]
        if exists { try verify(applied) }
        return migrations.map { Status(migration: $0, appliedAt: applied[$0.version]?.appliedAt) }
    }

    private struct Record {
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    private func recorded(_ connection: PostgresConnection) throws -> [Int: Record] {
        let result = try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
        var records: [Int: Record] = [:]
        for row in result.rows {
            records[try row.decode(0)] = Record(name: try row.decode(1), checksum: try row.decode(2), appliedAt: try row.decode(3))
        }
        return records
    }

    private func verify(_ applied: [Int: Record]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                throw DatabaseSetupError("the database has migration \(record.name), which this build does not know: run a newer cadreflow")
            }
            guard migration.checksum == record.checksum else {
                throw DatabaseSetupError(
                    "migration \(migration.name) was edited after it was applied (checksum \(migration.checksum.prefix(12)) ≠ recorded \(record.checksum.prefix(12))): restore the file and add a new migration instead"
                )
            }
        }
    }
}
