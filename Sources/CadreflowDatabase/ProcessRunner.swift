import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs helper programs (initdb, pg_ctl, useradd, pgbench) to completion, optionally as
/// another system account, with their output captured in a temporary file.
///
/// Output goes to a file rather than a pipe: `pg_ctl start` leaves a server running
/// that would otherwise hold the pipe open forever. Children start with no blocked
/// signals and default signal actions: Swift's threads block some signals, and a child
/// inheriting that mask would never see SIGALRM (pgbench -T would run forever).
public enum ProcessRunner {
    /// How a program ended.
    public struct Outcome: Sendable {
        /// The exit status (128 + n when killed by signal n).
        public var status: Int32
        /// Standard output and error together.
        public var output: String

        /// The last few lines of the output, for one-line error messages.
        public var tail: String {
            output.split(separator: "\n").suffix(3).joined(separator: " | ")
        }
    }

    /// Runs `executable` with `arguments`; as `user` (through runuser) when given.
    public static func run(_ executable: String, _ arguments: [String], as user: String? = nil, directory: String? = nil) throws -> Outcome {
        var launchPath = executable
        var launchArguments = arguments
        if let user {
            guard let runuser = locate("runuser", in: ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) else {
                throw DatabaseSetupError("running PostgreSQL as '\(user)' needs runuser (apt-get install util-linux)")
            }
            launchPath = runuser
            launchArguments = ["-u", user, "--", executable] + arguments
        }
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("cadreflow-run-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let status = try spawnAndWait(launchPath, launchArguments, outputPath: logPath, directory: directory)
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: output)
    }

    /// Starts `executable` in the background, its output appended to `outputPath`, and
    /// returns at once: for servers a benchmark or a test talks to (redis-server, the service
    /// itself). The child starts with no blocked signals, so ``RunningProcess/stop(grace:)``'s
    /// SIGTERM reaches it; `environment` replaces this process's environment when given.
    public static func start(
        _ executable: String, _ arguments: [String], outputPath: String = "/dev/null", environment: [String: String]? = nil
    ) throws -> RunningProcess {
        RunningProcess(pid: try spawn(executable, arguments, outputPath: outputPath, directory: nil, environment: environment), name: executable)
    }

    /// posix_spawn and waitpid, with standard output and error appended to `outputPath`.
    /// (Foundation's Process can miss the exit of a child whose own children live on,
    /// as `pg_ctl start` does, and then waits forever.)
    private static func spawnAndWait(_ path: String, _ arguments: [String], outputPath: String, directory: String?) throws -> Int32 {
        let pid = try spawn(path, arguments, outputPath: outputPath, directory: directory)
        return try wait(for: pid, name: path)
    }

    private static func spawn(
        _ path: String, _ arguments: [String], outputPath: String, directory: String?, environment: [String: String]? = nil
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)

        // The child starts in `directory` through env -C (posix_spawn's chdir action is a
        // GNU extension that does not import into Swift).
        let command = directory.map { ["/usr/bin/env", "-C", $0, path] } ?? [path]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { variables in variables.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in envp ?? [] { free(pointer) } }
        var pid = pid_t()
        let spawned = envp.map { posix_spawn(&pid, command[0], &actions, &attributes, argv, $0) } ?? posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw DatabaseSetupError("cannot run \(path): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// The child gets standard input, output and error and nothing else. SwiftNIO accepts
    /// connections without close-on-exec, so a child would otherwise keep every socket
    /// the service had open at that moment: a postmaster that the supervisor starts again
    /// lives on holding clients' connections, which then never close when the service
    /// closes them (a client waiting for the end of its replies waits for ever).
    /// glibc 2.34+ closes them in the child (`posix_spawn_file_actions_addclosefrom_np`,
    /// looked up at run time: Swift does not import GNU extensions); on an older C library
    /// every descriptor from 3 on is marked close-on-exec before the spawn.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
            if addCloseFrom(&actions, 3) == 0 { return }
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for descriptor in entries.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Waits for a child and returns its exit status (128 + n when killed by signal n).
    static func wait(for pid: pid_t, name: String) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw DatabaseSetupError("lost track of \(name): \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS, spelled out: the C macros do not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The first executable named `name` on PATH or in the extra folders.
    public static func locate(_ name: String, in extraFolders: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + extraFolders
        for folder in folders {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A program ``ProcessRunner/start(_:_:outputPath:)`` left running.
public struct RunningProcess: Sendable {
    /// Its process id.
    public let pid: pid_t
    let name: String

    /// Whether it is still running (not yet exited and reaped).
    public var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Sends SIGKILL and waits for the exit.
    public func kill() {
        Glibc.kill(pid, SIGKILL)
        _ = try? ProcessRunner.wait(for: pid, name: name)
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after `grace`); returns the status.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) -> Int32? {
        Glibc.kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if reaped == -1 { return nil }
            usleep(10_000)
        }
        Glibc.kill(pid, SIGKILL)
        return try? ProcessRunner.wait(for: pid, name: name)
    }
}
