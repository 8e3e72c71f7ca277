import CadreflowDatabase
import CadreflowPostgres
import Foundation
import Logging
import Testing

/// These tests own their clusters (restarting the shared test cluster would disturb
/// every other suite), so they run one after another.
@Suite("The embedded cluster", .serialized)
struct EmbeddedClusterTests {
    private func temporaryFolder() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/cf-embed-XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        let folder = try #require(path)
        chmod(folder, 0o755)
        return folder
    }

    @Test("First start creates the cluster and database; a second start adopts the running server; stop stops it")
    func startAdoptStop() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: folder, port: 54_001, durable: false))
        let conninfo = try cluster.start()
        defer { try? cluster.stop() }
        #expect(FileManager.default.fileExists(atPath: folder + "/postgres/PG_VERSION"))
        let connection = try PostgresConnection.connect(conninfo)
        #expect(try connection.query("SELECT current_database()").scalar(String.self) == "cadreflow")
        // Listening on the unix socket only.
        #expect(try connection.query("SHOW listen_addresses").scalar(String.self) == "")

        let again = try EmbeddedCluster(options: .init(dataDirectory: folder, port: 54_001, durable: false))
        #expect(try again.start() == conninfo)
        try again.stop()
        #expect(!cluster.isRunning)
    }

    @Test("A stale pid file left by a killed run does not stop the next start")
    func stalePidFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: folder, port: 54_002, durable: false))
        try cluster.start()
        try cluster.stop()
        // A pid file naming a process that is not PostgreSQL, as a crash leaves it.
        let pidFile = folder + "/postgres/postmaster.pid"
        try "\(getpid())\n\(folder)/postgres\n0\n54002\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let conninfo = try cluster.start()
        defer { try? cluster.stop() }
        #expect(try PostgresConnection.connect(conninfo).query("SELECT 1").scalar(Int.self) == 1)
    }

    @Test("A pid file naming a zombie postmaster (killed, not yet reaped) does not stop the next start")
    func zombiePostmaster() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: folder, port: 54_004, durable: false))
        try cluster.start()
        try cluster.stop()
        // A process named postgres that has exited and that its parent does not reap.
        let parent = Process()
        parent.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        parent.arguments = ["-c", """
            import ctypes, os, sys, time
            pid = os.fork()
            if pid == 0:
                ctypes.CDLL(None).prctl(15, b"postgres", 0, 0, 0)
                os._exit(0)
            print(pid, flush=True)
            time.sleep(60)
            """]
        let output = Pipe()
        parent.standardOutput = output
        try parent.run()
        defer { parent.terminate() }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let zombie = try #require(Int32(line))
        var state = ""
        for _ in 0..<50 {
            state = ((try? String(contentsOfFile: "/proc/\(zombie)/stat", encoding: .utf8)) ?? "").components(separatedBy: ") ").last?.prefix(1).description ?? ""
            if state == "Z" { break }
            usleep(50_000)
        }
        #expect(state == "Z")
        #expect(((try? String(contentsOfFile: "/proc/\(zombie)/comm", encoding: .utf8)) ?? "").hasPrefix("postgres"))
        try "\(zombie)\n\(folder)/postgres\n0\n54004\n".write(toFile: folder + "/postgres/postmaster.pid", atomically: true, encoding: .utf8)
        let conninfo = try cluster.start()
        defer { try? cluster.stop() }
        #expect(try PostgresConnection.connect(conninfo).query("SELECT 1").scalar(Int.self) == 1)
    }

    @Test("The supervisor starts a killed postmaster again; a pool on it answers once it is back")
    func supervisorRestartsKilledPostmaster() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: folder, port: 54_005, durable: false))
        let conninfo = try cluster.start()
        defer { try? cluster.stop() }
        let pool = PostgresPool(configuration: .init(connectionString: conninfo, size: 2, checkoutTimeout: .seconds(2)))
        defer { pool.close() }
        #expect(try await pool.withConnection { try $0.query("SELECT 1").scalar(Int.self) } == 1)
        var logger = Logger(label: "test.supervisor")
        logger.logLevel = .critical
        let supervisor = Task { await ClusterSupervisor(cluster: cluster, interval: .milliseconds(200), logger: logger).run() }
        defer { supervisor.cancel() }
        let pidText = try String(contentsOfFile: folder + "/postgres/postmaster.pid", encoding: .utf8)
        let pid = try #require(pidText.split(separator: "\n").first.flatMap { Int32($0) })
        kill(pid, SIGKILL)
        let killed = ContinuousClock.now
        var back = false
        while ContinuousClock.now - killed < .seconds(30) {
            try await Task.sleep(for: .milliseconds(200))
            if (try? await pool.withConnection({ try $0.query("SELECT 1").scalar(Int.self) })) == 1 { back = true; break }
        }
        #expect(back, "the pool did not answer within 30 s of the postmaster's death")
        let newPid = try String(contentsOfFile: folder + "/postgres/postmaster.pid", encoding: .utf8).split(separator: "\n").first.flatMap { Int32($0) }
        #expect(newPid != pid)
        // The supervisor is done before the cluster stops: one still checking would find
        // the stopped server dead and start it again, leaving a postmaster behind the test.
        supervisor.cancel()
        await supervisor.value
    }

    @Test("A pool recovers by itself after the server restarts underneath it")
    func poolRecoversAfterRestart() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: folder, port: 54_003, durable: false))
        let conninfo = try cluster.start()
        defer { try? cluster.stop() }

        // A pool that checks idle connections before use hides the restart completely.
        let checked = PostgresPool(configuration: .init(connectionString: conninfo, size: 2, healthCheckAfterIdle: .zero))
        // A pool that never checks sees one connectionLost, then recovers on the next call.
        let unchecked = PostgresPool(configuration: .init(connectionString: conninfo, size: 1, healthCheckAfterIdle: .seconds(3600)))
        defer { checked.close(); unchecked.close() }
        let before = try await checked.withConnection { $0.backendPID }
        _ = try await unchecked.withConnection { $0.backendPID }

        try cluster.restart()

        let after = try await checked.withConnection { connection in
            (try connection.query("SELECT 1").scalar(Int.self), connection.backendPID)
        }
        #expect(after.0 == 1)
        #expect(after.1 != before)

        let error = await #expect(throws: PostgresError.self) {
            try await unchecked.withConnection { try $0.query("SELECT 1").scalar(Int.self) }
        }
        #expect(error?.isConnectionFailure == true)
        let recovered = try await unchecked.withConnection { try $0.query("SELECT 2").scalar(Int.self) }
        #expect(recovered == 2)
    }
}
