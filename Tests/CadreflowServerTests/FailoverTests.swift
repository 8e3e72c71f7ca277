import CadreflowDatabase
import CadreflowPostgres
import Foundation
import Synchronization
import Testing

extension WholeServiceTests {
    /// The real service on an external primary with a synchronous streaming standby (both
    /// PostgreSQL clusters on this machine, the standby made with pg_basebackup), given a
    /// multi-host libpq URL with `target_session_attrs=read-write`: a restart of the primary and
    /// then its death and the standby's promotion, both under a load of assessment submits.
    @Suite("Database restart and failover under load", .serialized)
    struct FailoverTests {
        static let workers = 4
        static let cadres = 10_000

        /// Every reply the load got, with when it came.
        final class Log: Sendable {
            struct Entry { var at: ContinuousClock.Instant; var code: String; var reply: String }
            let entries = Mutex<[Entry]>([])
            /// Set when the load is to stop.
            let stopped = Atomic<Bool>(false)
            var isStopped: Bool { stopped.load(ordering: .relaxed) }
            func add(_ code: String, _ reply: String) {
                entries.withLock { $0.append(Entry(at: .now, code: code, reply: reply)) }
            }
            var all: [Entry] { entries.withLock { $0 } }
            /// The first `OK` after `instant`.
            func firstOK(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
                all.filter { $0.at > instant && $0.reply.hasPrefix("OK") }.map(\.at).min()
            }
        }

        @Test("A primary restart, then failover to the promoted standby: ERR UNAVAILABLE meanwhile, writes again within 5 s, nothing acknowledged lost")
        func restartAndFailover() async throws {
            guard ServiceProcess.executable != nil else {
                Issue.record("the cadreflow executable is missing beside the tests")
                return
            }
            let base = "/tmp/cf-ha-\(UUID().uuidString.prefix(6))"
            defer { try? FileManager.default.removeItem(atPath: base) }
            let primary = try EmbeddedCluster(options: .init(dataDirectory: base + "/a"))
            try primary.start()
            defer { try? primary.stop() }
            let standby = try primary.baseBackup(into: base + "/b", standby: true)
            try standby.start()
            defer { try? standby.stop() }
            // A standby retries a lost primary every 5 s by default; synchronous commits wait for
            // it all that time after the primary restarts, so it retries sooner.
            let replica = try PostgresConnection.connect(standby.connectionString(database: "postgres"))
            try replica.execute("ALTER SYSTEM SET wal_retrieve_retry_interval = '200ms'")
            try replica.execute("SELECT pg_reload_conf()")
            replica.close()
            // Synchronous replication: a commit is acknowledged once the standby has it too (set
            // after the copy, so that the standby, once promoted, does not wait for a standby of its own).
            let admin = try PostgresConnection.connect(primary.connectionString(database: "postgres"))
            try admin.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            try admin.execute("SELECT pg_reload_conf()")
            var synchronous = false
            for _ in 0..<100 where !synchronous {
                synchronous = try admin.query("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'").scalar(Int.self) == 1
                if !synchronous { try await Task.sleep(for: .milliseconds(100)) }
            }
            admin.close()
            try #require(synchronous, "the standby never became synchronous")

            let url = "host=\(primary.socketDirectory),\(standby.socketDirectory) port=\(primary.options.port),\(standby.options.port) "
                + "user=\(EmbeddedCluster.superuser) dbname=cadreflow target_session_attrs=read-write connect_timeout=2"
            let service = try ServiceProcess(environment: ["CADREFLOW_DATABASE_URL": url])
            defer { service.removeEverything() }
            try await service.start()
            let month = WholeServiceTests.CrashRestartTests.currentMonth()
            let codes = (1...Self.cadres).map { String(format: "F%05d", $0) }
            let setup = try await ServiceProcessClient.login(port: service.port, "admin", ServerHarness.adminPassword)
            let rows = ["type,code,name,parent,unit", "unit,HN,Thành phố Hà Nội,,", "unit,HN.A,Phường Ba Đình,HN,"]
                + codes.map { "cadre,\($0),Trần Văn Đức \($0),,HN.A" }
            try await setup.upload("ORG IMPORT format=csv", rows).expectOK()
            try await setup.send("USER ADD rev role=manager unit=HN.A password=rev-password-1").expectOK()
            try await setup.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
            setup.close()
            let organizer = try await ServiceProcessClient.login(port: service.port, "org", "org-password-1")
            try await organizer.send("CYCLE OPEN \(month) unit=HN").expectOK()
            organizer.close()

            let log = Log()
            let load = Task { await Self.submit(codes, month: month, port: service.port, log: log) }
            try await Task.sleep(for: .seconds(1))

            // 1. The primary restarts (a fast shutdown cuts every session).
            try primary.restart()
            let restarted = ContinuousClock.now
            try await Task.sleep(for: .seconds(3))

            // 2. The primary dies; the standby is promoted.
            try primary.stopImmediately()
            let died = ContinuousClock.now
            try standby.promote()
            let promoted = ContinuousClock.now
            try await Task.sleep(for: .seconds(5))
            log.stopped.store(true, ordering: .relaxed)
            let acknowledged = await load.value

            let entries = log.all
            let unexpected = entries.filter { !$0.reply.hasPrefix("OK") && !$0.reply.hasPrefix("ERR UNAVAILABLE") }
            #expect(unexpected.isEmpty, "replies other than OK and ERR UNAVAILABLE: \(unexpected.prefix(5).map { "\($0.code): \($0.reply)" }); logged: \(service.log().components(separatedBy: "command failed").dropLast().map { $0.suffix(400) })")
            #expect(entries.contains { $0.reply.hasPrefix("ERR UNAVAILABLE") && $0.at > died && $0.at < promoted.advanced(by: .seconds(1)) } || promoted - died < .milliseconds(200),
                    "no ERR UNAVAILABLE while there was no primary")
            let afterRestart = try #require(log.firstOK(after: restarted), "no write succeeded after the restart")
            #expect(afterRestart - restarted < .seconds(5), "writes resumed \(afterRestart - restarted) after the restart")
            let afterPromotion = try #require(log.firstOK(after: promoted), "no write succeeded after the promotion")
            #expect(afterPromotion - promoted < .seconds(5), "writes resumed \(afterPromotion - promoted) after the promotion")
            print("failover: writes again \(afterRestart - restarted) after the restart, \(afterPromotion - promoted) after the promotion (\(promoted - died) from death to promotion); \(acknowledged.count) acknowledged, \(entries.filter { $0.reply.hasPrefix("ERR UNAVAILABLE") }.count) ERR UNAVAILABLE")

            // Every acknowledged submit is on the new primary, with its history and audit rows.
            let database = try PostgresConnection.connect(standby.connectionString())
            let selfAssessed = Set(try database.query(
                "SELECT data->>'cadre' FROM workflow_instances WHERE workflow = 'assessment' AND state = 'self_assessed'"
            ).rows.map { try $0.decode(0, as: String.self) })
            let audited = Set(try database.query(
                "SELECT split_part(command, ' ', 3) FROM audit_log WHERE command LIKE 'ASSESS SELF %' AND result = 'OK'"
            ).rows.map { try $0.decode(0, as: String.self) })
            database.close()
            #expect(acknowledged.count > 0)
            #expect(acknowledged.isSubset(of: selfAssessed), "acknowledged but lost: \(acknowledged.subtracting(selfAssessed).sorted().prefix(5))")
            #expect(selfAssessed.isSubset(of: audited), "a transition without its audit row")
            #expect(service.stop() == 0, "\(service.lastLog())")
        }

        /// Submits ASSESS SELF for each code on `workers` connections, each with `idem=` so that
        /// a retry after ERR UNAVAILABLE (whose commit may have happened) is answered as the
        /// first was; returns the codes acknowledged.
        static func submit(_ codes: [String], month: String, port: Int, log: Log) async -> Set<String> {
            await withTaskGroup(of: Set<String>.self) { group in
                for worker in 0..<workers {
                    let part = stride(from: worker, to: codes.count, by: workers).map { codes[$0] }
                    group.addTask {
                        var acknowledged = Set<String>()
                        guard let client = try? await ServiceProcessClient.login(port: port, "rev", "rev-password-1") else { return acknowledged }
                        defer { client.close() }
                        for code in part {
                            while !log.isStopped {
                                guard let reply = try? await client.send("ASSESS SELF \(code) \(month) discipline=18 duties=60 bonus=2 idem=self-\(code)").first else {
                                    return acknowledged
                                }
                                log.add(code, reply)
                                if reply.hasPrefix("OK") {
                                    acknowledged.insert(code)
                                    break
                                }
                                try? await Task.sleep(for: .milliseconds(50))
                            }
                            // A steady load (about 800 submits a second), not a race to the end of the codes.
                            try? await Task.sleep(for: .milliseconds(5))
                            if log.isStopped { break }
                        }
                        return acknowledged
                    }
                }
                var all = Set<String>()
                for await part in group { all.formUnion(part) }
                return all
            }
        }
    }
}
