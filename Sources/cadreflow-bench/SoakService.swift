import CadreflowDatabase
import Foundation

/// The real `cadreflow serve` (the executable built beside this one) on a throwaway data
/// directory, for the soak: started, watched (its resident memory) and stopped.
struct SoakService {
    let port: Int
    let dataDirectory: String
    private let process: RunningProcess
    static let adminPassword = "soak-admin-password"

    /// Starts the service and waits until it greets.
    static func start() throws -> SoakService {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cadreflow").path
        guard FileManager.default.isExecutableFile(atPath: beside) else {
            throw ValidationFailure("\(beside) is missing: build it first (swift build -c release)")
        }
        let folder = "/tmp/cf-soak-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o755)
        let port = 30_000 + Int.random(in: 0..<20_000)
        var environment = ProcessInfo.processInfo.environment
        environment["CADREFLOW_DATA_DIR"] = folder
        environment["CADREFLOW_LISTEN"] = "127.0.0.1:\(port)"
        environment["CADREFLOW_ADMIN_PASSWORD"] = adminPassword
        environment["CADREFLOW_CONFIG"] = nil
        let process = try ProcessRunner.start(beside, ["serve", "--log-level", "warning"], outputPath: folder + "/service.log", environment: environment)
        for _ in 0..<1_200 {
            guard process.isRunning else { throw ValidationFailure("the service exited at start: see \(folder)/service.log") }
            if let connection = try? LineConnection(port: port), (try? connection.readGreeting()) != nil {
                return SoakService(port: port, dataDirectory: folder, process: process)
            }
            usleep(100_000)
        }
        throw ValidationFailure("the service did not answer on port \(port) within 120 s")
    }

    /// The service process's resident memory in MiB (VmRSS), or 0 when unreadable.
    var residentMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1_024
    }

    /// Stops the service (SIGTERM) and removes its data.
    func stop() {
        _ = process.stop(grace: .seconds(30))
        if let cluster = try? EmbeddedCluster(options: .init(dataDirectory: dataDirectory)) { try? cluster.stop() }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

/// A logged-in protocol connection of the soak.
extension LineConnection {
    static func login(port: Int, _ login: String, _ password: String) throws -> LineConnection {
        let connection = try LineConnection(port: port)
        _ = try connection.readGreeting()
        let reply = try connection.roundTrip(["AUTH \(login) \(password)"])[0]
        guard reply.hasPrefix("OK") else { throw ValidationFailure("AUTH \(login): \(reply)") }
        return connection
    }

    /// Sends an upload command and its lines (dot-stuffed, ended by `.`); returns the final reply.
    func upload(_ command: String, _ lines: [String]) throws -> String {
        let go = try roundTrip([command])[0]
        guard go.hasPrefix("GO") else { return go }
        try send(lines.map { $0.hasPrefix(".") ? "." + $0 : $0 } + ["."])
        return try awaitReplies(1)[0]
    }
}
