import CadreflowDatabase
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import CadreflowTesting
import Foundation
import Testing

@Suite("The organisation service inside real transactions")
struct OrganisationServiceTests {
    let admin = Requester(login: "admin", role: .admin, scope: .everything)

    private func service() throws -> (OrganisationService, PostgresPool, TestDatabase) {
        let database = try TestCluster.shared().makeDatabase(prefix: "domain")
        try Migrator(migrations: Migration.bundled()).migrate(database.connect())
        let pool = database.pool(size: 2)
        let today = CalendarDay(year: 2026, month: 12, day: 1) ?? CalendarDay(Date(), timeZone: .current)
        return (OrganisationService(pool: pool, calendar: DomainCalendar { today }), pool, database)
    }

    private func file(_ lines: [[String]]) throws -> OrgImportFile {
        try OrgImportFile(header: lines[0], records: lines.dropFirst().enumerated().map { ImportRecord(line: $0.offset + 2, fields: $0.element) })
    }

    @Test("An event that fails rolls back the whole import, including its units and cadres; the error names the line")
    func importIsAllOrNothing() async throws {
        let (organisation, pool, database) = try service()
        defer { pool.close() }
        let header = ["type", "code", "name", "parent", "unit", "from", "date", "decision"]
        let bad = try file([header,
            ["unit", "HN", "Hà Nội", "", "", "", "", ""],
            ["unit", "A", "Xã A", "HN", "", "", "", ""],
            ["cadre", "CB1", "Hoàng Văn Thái", "", "A", "", "", ""],
            ["merge", "HN", "", "", "", "A;NOWHERE", "2025-07-01", "NQ"],
        ])
        let requester = admin
        await #expect(throws: DomainError(.notFound, "unit NOWHERE does not exist", line: 5)) {
            try await pool.withTransaction { connection in try organisation.importFile(bad, by: requester, on: connection) }
        }
        #expect(try database.connect().query("SELECT count(*) FROM units").scalar(Int.self) == 0)
        #expect(try database.connect().query("SELECT count(*) FROM cadre_work_history").scalar(Int.self) == 0)
    }

    @Test("A merge moves cadres with history, keeps retired ones where they were, and refuses a second end of the same unit")
    func mergeInTransaction() async throws {
        let (organisation, pool, _) = try service()
        defer { pool.close() }
        let requester = admin
        let setup = try file([["type", "code", "name", "parent", "unit", "status", "since", "valid_from"],
            ["unit", "HN", "Hà Nội", "", "", "", "", ""],
            ["unit", "A", "Xã A", "HN", "", "", "", ""],
            ["unit", "B", "Xã B", "HN", "", "", "", "2025-07-01"],
            ["cadre", "CB1", "Hoàng Văn Thái", "", "A", "active", "2020-01-01", ""],
            ["cadre", "CB2", "Đinh Thị Yến", "", "A", "retired", "2001-01-01", ""],
        ])
        _ = try await pool.withTransaction { connection in try organisation.importFile(setup, by: requester, on: connection) }
        let merge = try LineageEvent(kind: .merge) { ["code": "B", "from": "A", "date": "2025-07-01", "decision": "NQ 1656"][$0] }
        let summary = try await pool.withTransaction { connection in try organisation.record(merge, by: requester, on: connection) }
        #expect(summary == "A merged into B on 2025-07-01; 1 cadres moved")
        #expect(try await organisation.cadre("CB1", by: requester).unit == "B")
        #expect(try await organisation.cadre("CB2", by: requester).unit == "A")
        #expect(try await organisation.history(of: "CB1", by: requester).map(\.unit) == ["A", "B"])
        await #expect(throws: DomainError(.conflict, "unit A closed on 2025-07-01 already")) {
            let again = try LineageEvent(kind: .close) { ["code": "A", "date": "2025-08-01", "decision": "x"][$0] }
            _ = try await pool.withTransaction { connection in try organisation.record(again, by: requester, on: connection) }
        }
        let july = try #require(CalendarDay("2025-07-01"))
        #expect(try await organisation.units(at: july, parent: nil, includeClosed: false, by: requester).map(\.code) == ["HN", "B"])
    }
}
