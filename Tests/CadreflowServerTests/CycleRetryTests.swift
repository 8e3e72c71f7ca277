import CadreflowEngine
import Testing

/// A client that lost the reply to a cycle command retries it with the same `idem=` key:
/// it gets the first reply, not a report of the state the first left.
@Suite("Cycle commands retried with idem= after a lost reply")
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
}
