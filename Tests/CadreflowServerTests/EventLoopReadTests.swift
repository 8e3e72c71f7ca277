import CadreflowPostgres
import Foundation
import Testing

@Suite("One-statement reads (CADRE SHOW) on the event loops' own connections, and by the read lanes")
struct EventLoopReadTests {
    /// The event loops' own read connections open on the server's database.
    private static func loopConnections(_ server: ServerHarness) throws -> Int {
        try server.count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '\(InlineReadConnection.applicationName)'"
        )
    }

    /// The reply expected for each code: its row, not found, or outside the manager's scope.
    private static func expected(_ code: String, manager: Bool) -> String {
        if code.hasPrefix("X") { return "ERR NOTFOUND cadre \(code) does not exist" }
        if manager && code.hasPrefix("T") { return "ERR DENIED" }
        return "DATA"
    }

    @Test("Bursts of CADRE SHOW from several connections at once: each reply in its request's place, a missing or out-of-scope cadre answered alone", arguments: [true, false])
    func burstsInOrder(inlineReads: Bool) async throws {
        let server = try await ServerHarness.start(inlineReads: inlineReads)
        defer { server.stop() }
        let admin = try await server.admin()
        for line in [
            "UNIT ADD HN name=\"Hà Nội\"", "UNIT ADD BD name=\"Quận Ba Đình\" parent=HN", "UNIT ADD TX name=\"Quận Thanh Xuân\" parent=HN",
            "USER ADD man role=manager password=man-password unit=BD",
        ] {
            try await admin.send(line).expectOK()
        }
        let upload = ["type,code,name,unit"] + (0..<30).map { "cadre,B\($0),Nguyễn Thị Bình \($0),BD" } + (0..<30).map { "cadre,T\($0),Trần Văn Tú \($0),TX" }
        #expect(try await admin.upload("ORG IMPORT format=csv", upload).first?.hasPrefix("OK") == true)
        let codes = (0..<300).map { index -> String in
            switch index % 5 {
            case 0: return "T\(index % 30)"
            case 3: return "X\(index)"
            default: return "B\(index % 30)"
            }
        }
        let clients = [try await server.admin(), try await server.admin(), try await server.client(as: "man", password: "man-password")]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, client) in clients.enumerated() {
                let manager = number == 2
                let mine = codes.shuffled()
                group.addTask {
                    // Three rounds: the first may go by the read lanes while the loop's own
                    // connection opens; the later ones run on the loop.
                    for round in 0..<3 {
                        if round > 0 { try await Task.sleep(for: .milliseconds(100)) }
                        let burst = Array(mine[(round * 100)..<(round * 100 + 100)])
                        try await Self.showBurst(burst, on: client, number: number, manager: manager)
                    }
                }
            }
            try await group.waitForAll()
        }
        // The later rounds ran on the loops' own connections (or, with them off, there are none).
        let loopConnections = try Self.loopConnections(server)
        #expect(inlineReads ? loopConnections >= 1 : loopConnections == 0, "\(loopConnections) event-loop read connections")
        // A write after the reads sees a session still in step.
        try await clients[0].send("PING").expectOK()
    }

    /// The whole burst in one write, then each reply in order.
    private static func showBurst(_ mine: [String], on client: TestClient, number: Int, manager: Bool) async throws {
        try await client.sendRaw(Array(mine.map { "CADRE SHOW \($0)\n" }.joined().utf8))
        for code in mine {
            let reply = try await client.reply()
            let first = reply.first ?? ""
            let want = Self.expected(code, manager: manager)
            #expect(first.hasPrefix(want), "client \(number): CADRE SHOW \(code) → \(first)")
            if want == "DATA" {
                #expect(reply.count == 4 && reply[2].hasPrefix("\(code)\t"), "client \(number): CADRE SHOW \(code) → \(reply)")
                let name = code.hasPrefix("B") ? "Nguyễn Thị Bình" : "Trần Văn Tú"
                #expect(reply[2].contains("\t\(name) \(code.dropFirst())\t"), "\(reply)")
            }
        }
    }

    @Test("When the database drops the service's connections, CADRE SHOW fails with ERR UNAVAILABLE only meanwhile, then answers again on its own", arguments: [true, false])
    func recoversAfterLostConnections(inlineReads: Bool) async throws {
        let server = try await ServerHarness.start(inlineReads: inlineReads)
        defer { server.stop() }
        let admin = try await server.admin()
        for line in ["UNIT ADD HN name=\"Hà Nội\"", "CADRE ADD C1 name=\"Lê Thị Hoa\" unit=HN"] {
            try await admin.send(line).expectOK()
        }
        for _ in 0..<3 {
            #expect(try await admin.send("CADRE SHOW C1").first?.hasPrefix("DATA") == true)
            try await Task.sleep(for: .milliseconds(50))
        }
        let killed = try server.database.connect().query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar(Int.self) ?? 0
        #expect(killed >= 1)
        var replies: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let first = try await admin.send("CADRE SHOW C1").first ?? ""
            replies.append(first)
            if first.hasPrefix("DATA") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(replies.last?.hasPrefix("DATA") == true, "no row again within 10 s: \(replies.suffix(3))")
        #expect(replies.allSatisfy { $0.hasPrefix("DATA") || $0.hasPrefix("ERR UNAVAILABLE") }, "\(replies)")
        // Later reads keep answering, and with the loop path on a loop's own connection is
        // open again to carry them (not the lanes for good).
        var loopConnections = 0
        for attempt in 0..<50 {
            #expect(try await admin.send("CADRE SHOW C1").first?.hasPrefix("DATA") == true)
            loopConnections = try Self.loopConnections(server)
            if (inlineReads && loopConnections > 0) || (!inlineReads && attempt >= 4) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(inlineReads ? loopConnections >= 1 : loopConnections == 0, "\(loopConnections) event-loop read connections")
    }
}
