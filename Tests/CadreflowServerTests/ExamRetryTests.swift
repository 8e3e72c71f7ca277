import Testing

/// A client that lost the reply to an exam command retries it with the same `idem=` key,
/// as docs/OPERATIONS.md tells it to: it gets the first reply, and nothing moves twice.
@Suite("Exam commands retried with idem= after a lost reply")
struct ExamRetryTests {
    @Test("CREATE, ANNOUNCE, EXTEND, REGISTER, ELIGIBLE, CLOSE, START, CANCEL: a retry with the same key answers as the first did and changes nothing")
    func retries() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        let lines = [
            "EXAM CREATE R1 post=\"\(ExamTests.post)\" unit=SNV idem=r1-create",
            "EXAM ANNOUNCE R1 deadline=2026-03-20 idem=r1-announce",
            "EXAM EXTEND R1 deadline=2026-03-25 idem=r1-extend",
            "EXAM REGISTER R1 C1 idem=r1-reg-c1",
            "EXAM REGISTER R1 C2 idem=r1-reg-c2",
            "EXAM ELIGIBLE R1 C1 yes idem=r1-el-c1",
            "EXAM ELIGIBLE R1 C2 yes idem=r1-el-c2",
            "EXAM CLOSE R1 idem=r1-close",
            "EXAM START R1 idem=r1-start",
            "EXAM CANCEL R1 reason=\"Hủy do sắp xếp lại tổ chức\" idem=r1-cancel",
        ]
        // The engine moves commit on their own and keep their reply for the key just after;
        // a service that died in between has only the engine's key: the retry is answered
        // from it (the rules alone would refuse an EXTEND to the deadline it set).
        let engineMoves: Set = ["ANNOUNCE", "EXTEND", "CLOSE", "START", "CANCEL"]
        for line in lines {
            let first = try await org.send(line)
            #expect(first.first?.hasPrefix("OK") == true, "\(line): \(first)")
            // The reply was lost; the retry comes on a new connection.
            let again = try await server.client(as: "org", password: "org-password-1")
            #expect(try await again.send(line) == first, "\(line)")
            let words = line.split(separator: " ")
            if engineMoves.contains(String(words[1])), let key = words.last?.split(separator: "=").last {
                try server.database.connect().query("DELETE FROM request_idempotency WHERE login = 'org' AND key = $1", String(key))
                #expect(try await again.send(line) == first, "\(line), its kept reply gone")
            }
            again.close()
        }
        let moves = try server.count("""
            SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id
            WHERE i.workflow = 'exam' AND i.key LIKE '%R1%'
            """)
        // Created, announced, extended, closed, started, cancelled: once each.
        #expect(moves == 6, "history rows of R1: \(moves)")
        #expect(try server.count("SELECT count(*) FROM exam_candidates WHERE exam = 'R1'") == 2)
    }
}
