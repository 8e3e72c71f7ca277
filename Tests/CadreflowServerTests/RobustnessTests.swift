import Foundation
import Testing

@Suite("Robustness through real sockets")
struct RobustnessTests {
    @Test("Malformed lines get one error each and the connection stays usable")
    func malformed() async throws {
        let server = try await ServerHarness.start(limits: ServerHarness.limits(maxLineBytes: 1024))
        defer { server.stop() }
        let client = try await server.admin()
        #expect(try await client.send(String(repeating: "Y", count: 70_000)).first?.hasPrefix("ERR LIMIT") == true)
        #expect(try await client.send("PING") == ["OK PONG"])
        try await client.sendRaw([0x55, 0x4E, 0x49, 0x54, 0x20, 0xC3, 0x28, 0x0A])
        #expect(try await client.reply().first?.hasPrefix("ERR SYNTAX") == true)
        #expect(try await client.send(#"UNIT ADD X name="open"#).first?.hasPrefix("ERR SYNTAX") == true)
        #expect(try await client.send("NO_SUCH thing").first?.hasPrefix("ERR UNKNOWN") == true)
        #expect(try await client.send("UNIT FLY").first?.hasPrefix("ERR UNKNOWN") == true)
        #expect(try await client.send("PING") == ["OK PONG"])
    }

    @Test("Pipelined requests get their replies in order, database commands among them, past the read-ahead limit")
    func pipelining() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let client = try await server.admin()
        _ = try await client.send(#"UNIT ADD HN name="Hà Nội""#)
        // More lines than the server queues behind a running command, so reading pauses and resumes.
        let lines = (0..<3_000).map { ["PING", "NOPE", "WHOAMI", "UNIT SHOW HN"][$0 % 4] }
        try await client.sendRaw(Array(lines.map { $0 + "\n" }.joined().utf8))
        for (index, _) in lines.enumerated() {
            let reply = try await client.reply()
            switch index % 4 {
            case 0: #expect(reply == ["OK PONG"])
            case 1: #expect(reply.first?.hasPrefix("ERR UNKNOWN") == true)
            case 2: #expect(reply.first == "DATA 2")
            default: #expect(reply.first?.hasPrefix("DATA ") == true && reply.contains { $0.contains("Hà Nội") }, "line \(index + 1): \(reply)")
            }
        }
    }

    @Test("A half line from a stalled client does not hold up anyone else")
    func stalledClient() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let staller = try await server.client()
        try await staller.sendRaw(Array("UNIT ADD half-a-li".utf8))
        let other = try await server.client()
        #expect(try await other.send("PING") == ["OK PONG"])
        try await staller.sendRaw(Array("ne\nPING\n".utf8))
        #expect(try await staller.reply().first?.hasPrefix("ERR AUTH") == true)
        #expect(try await staller.reply() == ["OK PONG"])
    }

    @Test("An upload cut off by a disconnect changes nothing; a finished one gets exactly one reply")
    func uploads() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let cut = try await server.admin()
        #expect(try await cut.send("EXAM IMPORT written format=csv").first?.hasPrefix("GO") == true)
        try await cut.sendRaw(Array("exam,paper,score\nE1,P1,50\n".utf8))
        cut.close()
        let client = try await server.admin()
        #expect(try await client.send("EXAM IMPORT written format=csv").first?.hasPrefix("GO") == true)
        try await client.sendRaw(Array("exam,paper,score\n..dotted,P1,50\nE2,P2,120\n.\n".utf8))
        let reply = try await client.reply()
        #expect(reply.first == "ERR INVALID line 3: score 120 out of range 0..100")
        #expect(try await client.send("PING") == ["OK PONG"])
        #expect(try await client.send("EXAM IMPORT written format=csv").first?.hasPrefix("GO") == true)
        try await client.sendRaw(Array("exam,paper,score\n..dotted,P1,50\n.\n".utf8))
        #expect(try await client.reply().first == "ERR NOTFOUND line 2: exam .dotted does not exist")
        #expect(try server.count("SELECT count(*) FROM workflow_instances") == 0)
    }

    @Test("200 concurrent connections are all served")
    func manyConnections() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let port = server.port
        let replies = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let client = try await TestClient.connect(port: port)
                    return try await client.send("PING")
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(replies.count == 200)
        #expect(replies.allSatisfy { $0 == ["OK PONG"] })
    }

    @Test("Past the connection cap a client is told ERR LIMIT and closed; the others keep working")
    func connectionCap() async throws {
        let server = try await ServerHarness.start(limits: ServerHarness.limits(maxConnections: 3))
        defer { server.stop() }
        let kept = [try await server.client(), try await server.client(), try await server.client()]
        let refused = try await TestClient.connectRaw(port: server.port)
        #expect(refused.hasPrefix("ERR LIMIT"))
        #expect(try await kept[0].send("PING") == ["OK PONG"])
    }

    @Test("Random bytes thrown at the server: it keeps serving, and stores nothing")
    func fuzz() async throws {
        let server = try await ServerHarness.start(limits: ServerHarness.limits(maxLineBytes: 512))
        defer { server.stop() }
        var generator = SeededBytes(seed: 7)
        for round in 0..<20 {
            let client = try await server.admin()
            let noise = (0..<4_000).map { _ in generator.byte() }
            try await client.sendRaw(noise + Array("\nPING\n".utf8))
            client.close()
            let probe = try await server.client()
            #expect(try await probe.send("PING") == ["OK PONG"], "round \(round)")
        }
        #expect(try server.count("SELECT count(*) FROM units") == 0)
    }

    @Test("FORMAT json: every reply is one JSON object; FORMAT text switches back")
    func json() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let client = try await server.admin()
        try await client.send("UNIT ADD HN name=\"Hà \\\"Nội\\\"\"").expectOK()
        #expect(try await client.send("FORMAT json") == [#"{"ok":true,"text":"format json"}"#])
        let shown = try await client.send("UNIT SHOW HN")
        let object = try JSONSerialization.jsonObject(with: Data(shown[0].utf8)) as? [String: Any]
        #expect((object?["rows"] as? [[String: String]])?.first?["name"] == "Hà \"Nội\"")
        #expect(try await client.send("NOPE").first?.contains(#""code":"UNKNOWN""#) == true)
        #expect(try await client.send("FORMAT text") == ["OK format text"])
    }
}

/// Deterministic noise for the fuzz test.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func byte() -> UInt8 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let value = UInt8(truncatingIfNeeded: state >> 33)
        // Mostly printable text with quotes, escapes, equals signs, newlines and bad UTF-8.
        let specials: [UInt8] = [0x22, 0x5C, 0x3D, 0x0A, 0x0D, 0x20, 0xC3, 0xFF, 0x2E]
        return value % 4 == 0 ? specials[Int(value) % specials.count] : 0x21 + value % 94
    }
}
