import CadreflowProtocol
import CadreflowServer
import Foundation
import Testing

@Suite("Commands in-process through the router, without a socket")
struct InProcessCommandTests {
    private func logIn(_ driver: CommandDriver, _ login: String = "admin", _ password: String = ServerHarness.adminPassword) async -> SessionState {
        var session = SessionState(peer: "test")
        _ = await driver.send("AUTH \(login) \(password)", session: &session)
        return session
    }

    @Test("The mounted groups answer, render domain errors once, and appear in HELP")
    func mountedGroups() async throws {
        let parts = try await ServerHarness.prepare()
        defer { parts.engine.close(); parts.pool.close() }
        let driver = CommandDriver(context: parts.context)
        var session = await logIn(driver)
        #expect(session.account?.login == "admin")
        #expect(await driver.send("UNIT ADD HN name=\"Thành phố Hà Nội\" kind=city", session: &session) == .ok("HN"))
        #expect(await driver.send("UNIT ADD HN name=again", session: &session) == .error(.conflict, "unit HN exists already"))
        #expect(await driver.send("UNIT ADD X_1 name=x parent=HN valid_from=2025-02-30", session: &session) == .error(.invalid, "valid_from: 2025-02-30 is not a date YYYY-MM-DD"))
        #expect(await driver.send("CADRE ADD CB1 name=\"Đỗ Thị Hoa\" unit=HN level=boss", session: &session) == .error(.invalid, "level: boss is not one of head, deputy, staff"))
        #expect(await driver.send("UNIT SPLIT HN into=HN date=2025-07-01 decision=x", session: &session) == .error(.invalid, "into: HN cannot split into itself"))
        let imported = await driver.upload("ORG IMPORT format=csv", ["type,code,name,unit,sex", "cadre,CB1,Đỗ Thị Hoa,HN,f", "cadre,CB2,Ngô Văn Nam,HN,x"], session: &session)
        #expect(imported == .error(.invalid, "line 3: sex: x is not one of m, f"))
        guard case .table(let help, _) = await driver.send("HELP UNIT", session: &session) else { Issue.record("HELP UNIT is not a table"); return }
        #expect(help.rows.map { $0[0] } == ["UNIT ADD", "UNIT SHOW", "UNIT LIST", "UNIT MERGE", "UNIT SPLIT", "UNIT RENAME", "UNIT CLOSE"])
        guard case .table(let all, _) = await driver.send("HELP", session: &session) else { Issue.record("HELP is not a table"); return }
        for name in ["AUTH", "USER ADD", "CADRE HISTORY", "ORG IMPORT", "EXAM IMPORT", "WORKFLOW LIST", "SCHEDULE RUN"] {
            #expect(all.rows.contains { $0[0] == name }, "\(name)")
        }
    }

    @Test("An account bound to a cadre sees that cadre in WHOAMI; exam uploads are checked by the domain")
    func boundAccountAndExams() async throws {
        let parts = try await ServerHarness.prepare()
        defer { parts.engine.close(); parts.pool.close() }
        let driver = CommandDriver(context: parts.context)
        var admin = await logIn(driver)
        _ = await driver.send("UNIT ADD HN name=HN", session: &admin)
        _ = await driver.send("CADRE ADD CB1 name=\"Bùi Thị Thu\" unit=HN", session: &admin)
        #expect(await driver.send("USER ADD thu role=viewer password=thu-password unit=HN cadre=CB1", session: &admin) == .ok("thu"))
        #expect(await driver.send("USER ADD ghost role=viewer password=ghost-password unit=HN cadre=CB9", session: &admin) == .error(.notFound, "cadre CB9 does not exist"))
        let thu = await logIn(driver, "thu", "thu-password")
        #expect(thu.account?.cadre == "CB1")
        #expect(thu.account?.requester.workflowRole(on: "CB1") == "cadre")
        let exam = await driver.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,P01,80"], session: &admin)
        #expect(exam == .error(.notFound, "line 2: exam E1 does not exist"))
        let range = await driver.upload("EXAM IMPORT defense format=csv", ["exam,candidate,member,score", "E1,CB1,M1,100.5"], session: &admin)
        #expect(range == .error(.invalid, "line 2: score 100.5 out of range 0..100"))
    }
}
