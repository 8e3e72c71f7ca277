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
        for line in ["CYCLE OPEN 2025-09 unit=HN idem=open-2025-09", "CYCLE CLOSE 2025-09 unit=HN idem=close-2025-09"] {
            let org = try await server.client(as: "org", password: "org-password-1")
            let first = try await org.send(line)
            #expect(first.first?.hasPrefix("OK") == true, "\(line): \(first)")
            org.close()
            let again = try await server.client(as: "org", password: "org-password-1")
            #expect(try await again.send(line) == first, "\(line)")
            again.close()
        }
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment'") == 6)
    }
}
