import CadreflowCommands
import CadreflowDatabase
import CadreflowDefinitions
import CadreflowRules
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowServer
import CadreflowTesting
import Foundation
import CadreflowProtocol
import Logging
import NIOCore
import Synchronization

/// A protocol server on a fresh migrated database, listening on a free loopback port.
struct ServerHarness {
    let database: TestDatabase
    let pool: PostgresPool
    let engine: WorkflowEngine
    let scheduler: Scheduler
    /// The domain services the server's commands call (for calling one directly).
    let domain: Domain
    let port: Int
    let task: Task<Void, any Error>
    static let adminPassword = "admin-password-1"

    /// A migrated database with the admin account, and a server context on it.
    struct Parts {
        let database: TestDatabase
        let pool: PostgresPool
        let engine: WorkflowEngine
        let scheduler: Scheduler
        let domain: Domain
        let context: ServerContext
    }

    /// The rule sets built into the binary.
    static func builtInRules() throws -> RuleSetCatalog {
        try RuleSetCatalog.load(folder: DefinitionFiles.rulesFolder(configured: ""))
    }

    /// The workflow definitions built into the binary, validated against the domain's hooks.
    static func builtInDefinitions() throws -> [WorkflowDefinition] {
        try DefinitionLoader.loadFolder(DefinitionFiles.workflowsFolder(configured: ""), vocabulary: Domain.vocabulary)
    }

    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current

    /// The server's parts on a database (fresh, or `existing` for a second service instance),
    /// mounting the service's command groups and `extraGroups`.
    static func prepare(
        limits: ProtocolLimits = ServerHarness.limits(), existing: TestDatabase? = nil, definitions: [WorkflowDefinition] = [],
        clock: any EngineClock = SystemClock(), schedules: [ScheduleDefinition] = [],
        extraGroups: @Sendable (WorkflowEngine) -> [CommandGroup] = { _ in [] }, afterCommit: (@Sendable (Request) async -> Void)? = nil,
        inlineReads: Bool = true
    ) async throws -> Parts {
        let database = try existing ?? TestCluster.shared().makeDatabase(prefix: "server")
        try Migrator(migrations: Migration.bundled()).migrate(database.connect())
        // The service's pool and engine serve as the unprivileged role, as `serve` does.
        let pool = database.pool(size: 6, serving: true, inlineReads: inlineReads)
        let catalog = try WorkflowCatalog.register(definitions, connection: database.connect())
        let engine = WorkflowEngine(catalog: catalog, hooks: Domain.hooks, pool: pool, connectionString: database.servingConnectionString, clock: clock, options: .init(timeZone: zone))
        let domain = Domain(pool: pool, engine: engine, calendar: DomainCalendar { CalendarDay(clock.now(), timeZone: zone) }, rules: try builtInRules())
        let scheduler = try Scheduler(schedules: schedules, actions: domain.scheduleActions, engine: engine, clock: clock, timeZone: zone)
        var logger = Logger(label: "test.server")
        logger.logLevel = .critical
        let accounts = AccountStore(pool: pool, lockout: .init(failures: 5, seconds: 900))
        try await accounts.bootstrapAdmin(password: adminPassword, logger: logger)
        let context = ServerContext(
            pool: pool, accounts: accounts, limits: limits, version: "test", logger: logger,
            groups: CadreflowCommandGroups.all(domain: domain, engine: engine, scheduler: scheduler) + extraGroups(engine), afterCommit: afterCommit
        )
        return Parts(database: database, pool: pool, engine: engine, scheduler: scheduler, domain: domain, context: context)
    }

    static func start(
        limits: ProtocolLimits = ServerHarness.limits(), tls: TLSSettings? = nil, existing: TestDatabase? = nil, definitions: [WorkflowDefinition] = [],
        clock: any EngineClock = SystemClock(), schedules: [ScheduleDefinition] = [],
        extraGroups: @escaping @Sendable (WorkflowEngine) -> [CommandGroup] = { _ in [] }, afterCommit: (@Sendable (Request) async -> Void)? = nil,
        inlineReads: Bool = true
    ) async throws -> ServerHarness {
        let parts = try await prepare(
            limits: limits, existing: existing, definitions: definitions, clock: clock, schedules: schedules, extraGroups: extraGroups, afterCommit: afterCommit,
            inlineReads: inlineReads
        )
        let (ready, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await ProtocolServer.run(host: "127.0.0.1", port: 0, context: parts.context, tls: tls) { address in
                continuation.yield(address.port ?? 0)
            }
        }
        var port = 0
        for await bound in ready { port = bound; break }
        return ServerHarness(database: parts.database, pool: parts.pool, engine: parts.engine, scheduler: parts.scheduler, domain: parts.domain, port: port, task: task)
    }

    static func limits(maxLineBytes: Int = 16_384, maxConnections: Int = 1_000, idle: Int = 0, maxUploadBytes: Int = 10_000_000) -> ProtocolLimits {
        ProtocolLimits(maxLineBytes: maxLineBytes, maxArguments: 256, maxUploadBytes: maxUploadBytes, idleTimeoutSeconds: idle, maxConnections: maxConnections, maxConnectionsPerAccount: 1_000)
    }

    func client() async throws -> TestClient {
        try await TestClient.connect(port: port)
    }

    /// A client logged in as `login`.
    func client(as login: String, password: String) async throws -> TestClient {
        let client = try await self.client()
        let reply = try await client.send("AUTH \(login) \(password)")
        guard reply.first?.hasPrefix("OK") == true else { throw TestClient.Failure("AUTH \(login) failed: \(reply)") }
        return client
    }

    func admin() async throws -> TestClient {
        try await client(as: "admin", password: ServerHarness.adminPassword)
    }

    func stop() {
        task.cancel()
        engine.close()
        pool.close()
    }

    func count(_ sql: String) throws -> Int {
        try database.connect().query(sql).scalar(Int.self) ?? -1
    }
}

/// A blocking line client on its own queue (never on the cooperative pool, which the
/// server's tasks need).
final class TestClient: @unchecked Sendable {
    /// The server closed the connection.
    struct Closed: Error {}

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private let queue = DispatchQueue(label: "test.client")
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// The greeting line.
    private(set) var greeting = ""

    private init(descriptor: Int32) {
        self.descriptor = descriptor
        setReceiveTimeout(seconds: 20)
    }

    deinit { Glibc.close(descriptor) }

    static func connect(port: Int) async throws -> TestClient {
        // Close-on-exec: a PostgreSQL started meanwhile must not inherit test sockets.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let connected = connectLoopback(descriptor, port: port)
        guard connected == 0 else { Glibc.close(descriptor); throw Failure("cannot connect to port \(port)") }
        let client = TestClient(descriptor: descriptor)
        client.greeting = try await client.onQueue { try client.readLine() }
        return client
    }

    /// `connect(2)` of a socket to 127.0.0.1:`port`; its result (0, or -1 with errno set).
    static func connectLoopback(_ descriptor: Int32, port: Int) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                return String(decoding: line, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count == 0 { throw Closed() }
            guard count > 0 else { throw Failure("no reply within the receive timeout (or the read failed)") }
            buffer += chunk[..<count]
        }
    }

    private func readReplyLines() throws -> [String] {
        let first = try readLine()
        guard first.hasPrefix("DATA ") else { return [first] }
        let count = Int(first.dropFirst(5)) ?? 0
        var lines = [first]
        for _ in 0..<count { lines.append(try readLine()) }
        lines.append(try readLine())
        return lines
    }

    private func sendAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure("send failed") }
            offset += sent
        }
    }

    /// Connects and returns the first line the server sends (then closes).
    static func connectRaw(port: Int) async throws -> String {
        let client = try await connect(port: port)
        return client.greeting
    }

    /// Sends one line and reads its reply (a DATA block is returned whole, END included).
    func send(_ line: String) async throws -> [String] {
        try await onQueue {
            try self.sendAll(Array((line + "\n").utf8))
            return try self.readReplyLines()
        }
    }

    /// Sends raw bytes without reading.
    func sendRaw(_ bytes: [UInt8]) async throws {
        try await onQueue { try self.sendAll(bytes) }
    }

    /// Reads the next reply.
    func reply() async throws -> [String] {
        try await onQueue { try self.readReplyLines() }
    }

    /// Ends what this client sends (a half close); replies can still arrive.
    func finishSending() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads replies until the server closes the connection; throws when it stays open
    /// past the receive timeout.
    func repliesUntilClosed() async throws -> [[String]] {
        try await onQueue {
            var replies: [[String]] = []
            while true {
                do {
                    replies.append(try self.readReplyLines())
                } catch is Closed {
                    return replies
                }
            }
        }
    }

    /// Waits up to `seconds` for each reply from now on (20 by default).
    func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Closes the connection now.
    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }
}

extension TestClient {
    /// Sends an upload command and, after its GO, the lines (dot-stuffed) and the final `.`.
    func upload(_ command: String, _ lines: [String]) async throws -> [String] {
        let go = try await send(command)
        guard go.first?.hasPrefix("GO") == true else { return go }
        let body = lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\n") + "\n.\n"
        try await sendRaw(Array(body.utf8))
        return try await reply()
    }

    /// The table rows of a DATA reply (without the DATA line and the header).
    func rows(_ line: String) async throws -> [[String]] {
        let reply = try await send(line)
        guard reply.first?.hasPrefix("DATA") == true else { throw Failure("\(line): \(reply)") }
        return reply.dropFirst(2).dropLast().map { $0.components(separatedBy: "\t") }
    }
}
