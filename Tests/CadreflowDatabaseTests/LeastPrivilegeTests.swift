import CadreflowDatabase
import CadreflowPostgres
import CadreflowTesting
import Foundation
import Testing

/// The role the service serves as may work, but not rewrite history: each forbidden
/// statement is tried as that role and refused by the database's privileges.
@Suite("Least privilege: the serving role")
struct LeastPrivilegeTests {
    @Test("The serving role reads and appends history and audit, but cannot update, delete, truncate or unprotect them")
    func servingRole() throws {
        let database = try TestCluster.shared().makeDatabase(prefix: "privilege")
        let owner = try database.connect()
        try Migrator(migrations: Migration.bundled()).migrate(owner)
        try owner.execute("""
            INSERT INTO audit_log (login, peer, command, result) VALUES ('admin', 'test', 'PING', 'OK');
            INSERT INTO units (code, name, path) VALUES ('HN', 'Hà Nội', 'HN');
            """)
        let serving = try PostgresConnection.connect(database.servingConnectionString)
        #expect(try serving.query("SELECT current_user").scalar(String.self) == "cadreflow_service")
        #expect(try serving.query("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user").scalar(Bool.self) == false)
        // What the service does: work, append, analyse through the owner's function.
        try serving.query("INSERT INTO audit_log (login, peer, command, result) VALUES ('org', 'test', 'UNIT LIST', 'OK')")
        try serving.query("UPDATE units SET name = 'Thành phố Hà Nội' WHERE code = 'HN'")
        try serving.query("SELECT analyze_table('workflow_instances')")
        try serving.execute("BEGIN; CREATE TEMP TABLE scratch (x int) ON COMMIT DROP; COMMIT")
        // What it may never do.
        for statement in [
            "UPDATE audit_log SET result = 'ERR'", "DELETE FROM audit_log", "TRUNCATE audit_log",
            "UPDATE workflow_history SET actor = 'x'", "DELETE FROM workflow_history", "TRUNCATE workflow_history",
            "DELETE FROM exam_written_mark_sheets", "UPDATE exam_key_disclosures SET reason = 'x'", "DELETE FROM cadre_discipline",
            "DROP TRIGGER audit_log_no_change ON audit_log", "ALTER TABLE audit_log DISABLE TRIGGER ALL", "DROP TABLE audit_log",
            "TRUNCATE units", "CREATE TABLE mine (x int)", "DELETE FROM schema_migrations", "SELECT analyze_table('audit_log')",
            "CREATE ROLE intruder", "ALTER ROLE cadreflow_service SUPERUSER",
        ] {
            let refusal = #expect(throws: PostgresError.self, "\(statement)") { try serving.execute(statement) }
            #expect(refusal?.sqlState == "42501" || refusal?.message.contains("must be owner") == true || refusal?.message.contains("not a table the service analyses") == true,
                    "\(statement): \(refusal.map { String(describing: $0) } ?? "allowed")")
        }
        #expect(try owner.query("SELECT count(*) FROM audit_log").scalar(Int.self) == 2)
        // Serving as the role on a current database: the migrations are found applied.
        #expect(try Migrator(migrations: Migration.bundled()).migrate(PostgresConnection.connect(database.servingConnectionString)).isEmpty)
    }
}
