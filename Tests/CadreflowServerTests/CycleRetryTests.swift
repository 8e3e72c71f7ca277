import CadreflowEngine
import CadreflowRules
import Testing

/// A client that lost the reply to a cycle command (or an approval) retries it with the
/// same `idem=` key: it gets the first reply, not a report of the state the first left.
/// And the approval of one cadre: which path it takes, and that the step never moves an A.
@Suite("Cycle commands and approvals retried with idem= after a lost reply")
struct CycleRetryTests {
    @Test("CYCLE OPEN and CYCLE CLOSE: a retry with the same key answers as the first did and changes nothing")
    func retries() async throws {
        let clock = ManualClock(AssessmentTests.moment("2025-10-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        _ = try await AssessmentTests.city(server)
        var firstReplies: [String: [String]] = [:]
        for line in ["CYCLE OPEN 2025-09 unit=HN idem=open-2025-09", "CYCLE CLOSE 2025-09 unit=HN idem=close-2025-09"] {
            let org = try await server.client(as: "org", password: "org-password-1")
            let first = try await org.send(line)
            #expect(first.first?.hasPrefix("OK") == true, "\(line): \(first)")
            firstReplies[line] = first
            org.close()
            let again = try await server.client(as: "org", password: "org-password-1")
            #expect(try await again.send(line) == first, "\(line)")
            again.close()
        }
        // Had the service died between the work and keeping its reply, the retry runs
        // again: the opening reports what is there and creates nothing; the close is
        // answered from the engine's key.
        let database = try server.database.connect()
        try database.query("DELETE FROM request_idempotency WHERE login = 'org'")
        let org = try await server.client(as: "org", password: "org-password-1")
        #expect(try await org.send("CYCLE OPEN 2025-09 unit=HN idem=open-2025-09").first?.hasPrefix("OK cycle/2025-09/HN was open already: 0 assessments created, 6 existed") == true)
        let close = "CYCLE CLOSE 2025-09 unit=HN idem=close-2025-09"
        #expect(try await org.send(close) == firstReplies[close])
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment'") == 6)
    }

    /// The test city with September 2025 open and `cadres` self-assessed; the server and
    /// the reviewer's client (the caller stops the server).
    private func selfAssessedMonth(_ cadres: [String]) async throws -> (ServerHarness, TestClient) {
        let clock = ManualClock(AssessmentTests.moment("2025-10-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        _ = try await AssessmentTests.city(server)
        let org = try await server.client(as: "org", password: "org-password-1")
        let rev = try await server.client(as: "rev", password: "rev-password-1")
        try await org.send("CYCLE OPEN 2025-09 unit=HN").expectOK()
        for cadre in cadres {
            try await rev.send("ASSESS SELF \(cadre) 2025-09 discipline=18 duties=60").expectOK()
        }
        return (server, rev)
    }

    @Test("ASSESS APPROVE of one cadre graded B is one group-committed step: the unit's reply, audited, and a retry with its idem= key answers the same even once the kept reply is gone; an A still counts the quota")
    func approveOneStep() async throws {
        let (server, rev) = try await selfAssessedMonth(["C2", "C3", "C4"])
        defer { server.stop() }
        try await rev.send("ASSESS REVIEW C2 2025-09 discipline=18 duties=62 comment=\"Hoàn thành nhiệm vụ\"").expectOK()
        for cadre in ["C3", "C4"] { try await rev.send("ASSESS REVIEW \(cadre) 2025-09 discipline=20 duties=70 bonus=5").expectOK() }
        let line = "ASSESS APPROVE C2 2025-09 idem=approve-c2"
        let head = try await server.client(as: "head", password: "head-password-1")
        let first = try await head.send(line)
        #expect(first == ["OK approved 1 in unit HN.A for 2025-09 (none graded A: the A quota is not touched)"])
        head.close()
        let again = try await server.client(as: "head", password: "head-password-1")
        #expect(try await again.send(line) == first)
        try server.database.connect().query("DELETE FROM request_idempotency WHERE login = 'head'")
        #expect(try await again.send(line) == first)
        #expect(try server.count("SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id WHERE i.key = 'assessment/2025-09/C2' AND h.transition = 'approve'") == 1)
        let audited = try server.database.connect().query(
            "SELECT result FROM audit_log WHERE login = 'head' AND command LIKE 'ASSESS APPROVE C2 2025-09%' ORDER BY id"
        ).rows.map { try $0.decode(0, as: String.self) }
        #expect(audited.prefix(2) == ["OK", "OK replayed"])
        // Two As of six: the first is within 30% of the unit, the second is refused by the quota.
        #expect(try await again.send("ASSESS APPROVE C3 2025-09").first?.hasPrefix("OK approved 1 in unit HN.A for 2025-09 (unit HN.A: 1 of 5 graded would be A") == true)
        #expect(try await again.send("ASSESS APPROVE C4 2025-09").first?.hasPrefix("ERR QUOTA") == true)
        #expect(try await again.send("ASSESS APPROVE C2 2025-09").first?.hasPrefix("ERR CONFLICT") == true)
    }

    @Test("The approval step never moves an A: one read as a B before a regrade to A is refused for its version, one handed no record refuses the A, and it stays reviewed")
    func approveStepRefusesAnA() async throws {
        let (server, rev) = try await selfAssessedMonth(["C3"])
        defer { server.stop() }
        let head = Requester(login: "head", role: .manager, scope: UnitScope(path: "HN/HN.A"), unit: "HN.A", isHead: true)
        let month = try AssessmentPeriod.parseMonth("2025-09")
        let assessments = server.domain.assessments
        // The command reads C3 as a B and chooses the step; meanwhile C3 is returned and regraded A.
        try await rev.send("ASSESS REVIEW C3 2025-09 discipline=18 duties=60").expectOK()
        let readAsB = try #require(try await assessments.approvalByStep(cadre: "C3", month: month))
        try await rev.send("ASSESS RETURN C3 2025-09 reason=\"Bổ sung minh chứng\"").expectOK()
        try await rev.send("ASSESS SELF C3 2025-09 discipline=18 duties=60").expectOK()
        try await rev.send("ASSESS REVIEW C3 2025-09 discipline=20 duties=70 bonus=5").expectOK()
        #expect(try await assessments.approvalByStep(cadre: "C3", month: month) == nil)
        await #expect(throws: EngineError.self) {
            _ = try await assessments.step(.approve, cadre: "C3", month: month, entered: [:], by: head, record: readAsB)
        }
        await #expect(throws: DomainError.self) {
            _ = try await assessments.step(.approve, cadre: "C3", month: month, entered: [:], by: head)
        }
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE key = 'assessment/2025-09/C3' AND state = 'reviewed'") == 1)
        // Sent as a command, the approval takes the quota path.
        let client = try await server.client(as: "head", password: "head-password-1")
        #expect(try await client.send("ASSESS APPROVE C3 2025-09").first?.hasPrefix("OK approved 1 in unit HN.A for 2025-09 (unit HN.A: 1 of 5 graded would be A") == true)
    }
}
