import CadreflowPostgres
import Foundation
import Testing

extension WholeServiceTests {
    /// The real `cadreflow serve` on its embedded cluster, killed with SIGKILL while managers
    /// submit assessments (every other time with its postmaster), and started again on the same data.
    @Suite("Crash and restart under load", .serialized)
    struct CrashRestartTests {
        static let rounds = 4
        static let cadresPerRound = 1_000
        static let workers = 8

        /// What one client sent and which of its requests got an `OK` back.
        struct Sent: Sendable {
            var sent: [String] = []
            var acknowledged: [String] = []
        }

        @Test("SIGKILL at random moments under ASSESS SELF load: every acknowledged transition is there with its history and audit row, every other whole or absent")
        func killUnderLoad() async throws {
            guard ServiceProcess.executable != nil else {
                Issue.record("the cadreflow executable is missing beside the tests")
                return
            }
            let service = try ServiceProcess()
            defer { service.removeEverything() }
            try await service.start()
            let month = Self.currentMonth()
            let codes = (1...(Self.rounds * Self.cadresPerRound)).map { String(format: "K%05d", $0) }
            let admin = try await ServiceProcessClient.login(port: service.port, "admin", ServerHarness.adminPassword)
            let rows = ["type,code,name,parent,unit", "unit,HN,Thành phố Hà Nội,,", "unit,HN.A,Phường Hoàn Kiếm,HN,"]
                + codes.map { "cadre,\($0),Nguyễn Thị Lan \($0),,HN.A" }
            try await admin.upload("ORG IMPORT format=csv", rows).expectOK()
            try await admin.send("USER ADD rev role=manager unit=HN.A password=rev-password-1").expectOK()
            try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
            admin.close()
            let organizer = try await ServiceProcessClient.login(port: service.port, "org", "org-password-1")
            try await organizer.send("CYCLE OPEN \(month) unit=HN").expectOK()
            organizer.close()

            var sent: [String] = []
            var acknowledged: [String] = []
            for round in 0..<Self.rounds {
                let slice = Array(codes[(round * Self.cadresPerRound)..<((round + 1) * Self.cadresPerRound)])
                // The kill comes at a random moment after the first acknowledgement (a loaded machine
                // may take a while to answer the first one), while the rest are in flight.
                let delay = Int.random(in: 20...500)
                let (firstAck, signal) = AsyncStream<Void>.makeStream()
                // Odd rounds kill its PostgreSQL too (the postmaster with SIGKILL: crash recovery at the next start).
                let killer = Task {
                    for await _ in firstAck { break }
                    try await Task.sleep(for: .milliseconds(delay))
                    service.kill()
                    if round % 2 == 1 { service.killPostmaster() }
                }
                let results = await Self.submit(slice, month: month, port: service.port, acknowledged: signal)
                signal.finish()
                try await killer.value
                #expect(results.acknowledged.count > 0, "round \(round): nothing acknowledged before the kill \(delay) ms after the first")
                sent += results.sent
                acknowledged += results.acknowledged
                try await service.start()
            }
            #expect(acknowledged.count > 0)
            #expect(sent.count > acknowledged.count, "every kill came after the load had finished: nothing was in flight")

            // Read the database directly, as its owner.
            let database = try PostgresConnection.connect(try service.cluster.connectionString())
            let selfAssessed = Set(try database.query(
                "SELECT data->>'cadre' FROM workflow_instances WHERE workflow = 'assessment' AND state = 'self_assessed' AND data->>'self_total' = '80'"
            ).rows.map { try $0.decode(0, as: String.self) })
            let audited = Set(try database.query(
                "SELECT split_part(command, ' ', 3) FROM audit_log WHERE command LIKE 'ASSESS SELF %' AND result = 'OK'"
            ).rows.map { try $0.decode(0, as: String.self) })
            let historied = Set(try database.query("""
                SELECT i.data->>'cadre' FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id
                WHERE i.workflow = 'assessment' AND h.transition = 'self_assess' AND h.seq = i.version AND h.to_state = i.state
                """).rows.map { try $0.decode(0, as: String.self) })
            #expect(Set(acknowledged).isSubset(of: selfAssessed), "acknowledged but lost: \(Set(acknowledged).subtracting(selfAssessed).sorted().prefix(5))")
            #expect(selfAssessed.isSubset(of: Set(sent)))
            #expect(audited == selfAssessed, "transitions without their audit row, or audit rows without a transition")
            #expect(historied == selfAssessed, "transitions without their history row")
            // Every other assessment is untouched: pending at version 1 with its one creation row.
            #expect(try database.query("""
                SELECT count(*) FROM workflow_instances i WHERE i.workflow = 'assessment' AND i.state = 'pending'
                AND (i.version <> 1 OR (SELECT count(*) FROM workflow_history h WHERE h.instance_id = i.id) <> 1)
                """).scalar(Int.self) == 0)
            #expect(try database.query("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment' AND state NOT IN ('pending', 'self_assessed')").scalar(Int.self) == 0)
            database.close()

            // The restarted service takes the next submit as usual, and stops cleanly.
            let manager = try await ServiceProcessClient.login(port: service.port, "rev", "rev-password-1")
            let untouched = codes.first { !selfAssessed.contains($0) } ?? codes[0]
            #expect(try await manager.send("ASSESS SELF \(untouched) \(month) discipline=18 duties=60 bonus=2").first?.hasPrefix("OK assessment/\(month)/\(untouched) self_assessed") == true)
            manager.close()
            #expect(service.stop() == 0, "\(service.lastLog())")
        }

        /// Sends ASSESS SELF for each cadre of `codes` on `workers` connections until the codes run
        /// out or the service dies, telling `acknowledged` of each `OK`.
        static func submit(_ codes: [String], month: String, port: Int, acknowledged: AsyncStream<Void>.Continuation) async -> Sent {
            await withTaskGroup(of: Sent.self) { group in
                for worker in 0..<workers {
                    let part = stride(from: worker, to: codes.count, by: workers).map { codes[$0] }
                    group.addTask {
                        var result = Sent()
                        guard let client = try? await ServiceProcessClient.login(port: port, "rev", "rev-password-1") else { return result }
                        defer { client.close() }
                        for code in part {
                            result.sent.append(code)
                            guard let reply = try? await client.send("ASSESS SELF \(code) \(month) discipline=18 duties=60 bonus=2") else { break }
                            if reply.first?.hasPrefix("OK") == true {
                                result.acknowledged.append(code)
                                acknowledged.yield()
                            }
                        }
                        return result
                    }
                }
                var all = Sent()
                for await result in group {
                    all.sent += result.sent
                    all.acknowledged += result.acknowledged
                }
                return all
            }
        }

        /// This month in the service's time zone (its deadlines are next month's, so a self-assessment is on time).
        static func currentMonth() -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = ServerHarness.zone
            let parts = calendar.dateComponents([.year, .month], from: Date())
            return String(format: "%04d-%02d", parts.year ?? 2026, parts.month ?? 1)
        }
    }
}

/// A logged-in protocol client of a service process.
enum ServiceProcessClient {
    static func login(port: Int, _ login: String, _ password: String) async throws -> TestClient {
        let client = try await TestClient.connect(port: port)
        let reply = try await client.send("AUTH \(login) \(password)")
        guard reply.first?.hasPrefix("OK") == true else { throw TestClient.Failure("AUTH \(login) failed: \(reply)") }
        return client
    }
}
