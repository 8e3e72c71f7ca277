import CadreflowDatabase
import Foundation
import Glibc

/// `cadreflow serve` as a child process on a data directory (its embedded cluster) or an
/// external database: started, waited for, killed and started again as operators do.
final class ServiceProcess: @unchecked Sendable {
    /// The `cadreflow` executable beside the test bundle (built by `swift build --build-tests`).
    static var executable: URL? {
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
        return candidates.map { $0.appendingPathComponent("cadreflow") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The folder the service keeps its data in (and this helper its logs).
    let dataDirectory: String
    /// The protocol port.
    let port: Int
    private let environment: [String: String]
    private var process: RunningProcess?
    private var starts = 0

    /// A service on `dataDirectory` (a new temporary one by default), listening on a free port;
    /// `environment` adds to or overrides the service's.
    init(dataDirectory: String? = nil, environment: [String: String] = [:]) throws {
        let folder = dataDirectory ?? "/tmp/cf-svc-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        self.dataDirectory = folder
        self.port = try Self.freePort()
        var variables = ProcessInfo.processInfo.environment
        variables["CADREFLOW_DATA_DIR"] = folder
        variables["CADREFLOW_LISTEN"] = "127.0.0.1:\(port)"
        variables["CADREFLOW_ADMIN_PASSWORD"] = ServerHarness.adminPassword
        variables["CADREFLOW_CONFIG"] = nil
        variables.merge(environment) { $1 }
        self.environment = variables
    }

    /// The embedded cluster of the data directory (to read it directly, or stop it at the end).
    var cluster: EmbeddedCluster {
        get throws { try EmbeddedCluster(options: .init(dataDirectory: dataDirectory)) }
    }

    /// Starts the service and waits (up to `seconds`) until it greets on its port.
    func start(seconds: Double = 90) async throws {
        guard let executable = Self.executable else { throw TestClient.Failure("the cadreflow executable is missing beside the tests") }
        starts += 1
        let log = dataDirectory + "/service-\(starts).log"
        // posix_spawn and waitpid, not Foundation's Process: its wait spins and never reaps
        // a child killed while its own children (the postmaster) live on.
        let process = try ProcessRunner.start(executable.path, ["serve"], outputPath: log, environment: environment)
        self.process = process
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard process.isRunning else {
                throw TestClient.Failure("the service exited at start \(starts): \(lastLines(of: log))")
            }
            if let client = try? await TestClient.connect(port: port) {
                client.close()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestClient.Failure("the service did not answer on port \(port) within \(seconds) s: \(lastLines(of: log))")
    }

    /// SIGKILL: the service dies at once (its embedded PostgreSQL lives on, orphaned).
    func kill() {
        process?.kill()
        process = nil
    }

    /// SIGKILL to the embedded cluster's postmaster (its pid file's first line), as a crash of
    /// the database server; returns whether there was one to kill.
    @discardableResult
    func killPostmaster() -> Bool {
        let pidFile = dataDirectory + "/postgres/postmaster.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let line = text.split(separator: "\n").first, let pid = Int32(line) else { return false }
        return Glibc.kill(pid, SIGKILL) == 0
    }

    /// SIGTERM and waits for the exit; its status.
    @discardableResult
    func stop() -> Int32? {
        defer { process = nil }
        return process?.stop(grace: .seconds(30))
    }

    /// Stops whatever is left (the service, then its embedded cluster) and removes the data.
    func removeEverything() {
        kill()
        try? cluster.stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Everything the service logged at its latest start.
    func log() -> String {
        (try? String(contentsOfFile: dataDirectory + "/service-\(starts).log", encoding: .utf8)) ?? ""
    }

    /// The last lines the service logged at its latest start.
    func lastLog() -> String {
        lastLines(of: dataDirectory + "/service-\(starts).log")
    }

    private func lastLines(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }

    /// A loopback TCP port nobody listens on now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw TestClient.Failure("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
