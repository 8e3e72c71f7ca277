import CadreflowConsole
import Foundation

/// A load generator for line protocols (ours, or anything answering one line per request),
/// shaped like pgbench: a few threads (`-j`), each multiplexing its share of the
/// connections with poll(2), each connection sending requests for a fixed time, one at a
/// time or in pipelined groups, recording per-request (or per-group) latency. (One
/// blocking thread per connection, as this was first written, starves some connections
/// for seconds on a 2-core machine and measures the scheduler, not the server.)
enum ProtocolLoad {
    struct Figures {
        var operationsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double = .nan
    }

    /// Runs the load for `seconds` on `threads` threads. Each connection first sends its
    /// `login` lines; the clock starts only once every connection is connected and logged in
    /// (a login is a deliberately slow password hash and is not what is measured). Every
    /// reply must be one line or a DATA block, and none may be an error. Each connection
    /// cycles through `requests` from its own starting point. Throughput counts, like
    /// pgbench -T, what completed within the window.
    /// With `perConnection`, connection `i` sends `perConnection[i]` in order instead (a
    /// workload whose requests depend on one another: SELF, then REVIEW, then APPROVE).
    static func run(
        port: Int, connections: Int, seconds: Double, pipeline: Int, login: [String], requests: [String], perConnection: [[String]]? = nil, threads: Int = 2,
        unixSocket: String? = nil
    ) throws -> Figures {
        var lines: [LineConnection] = []
        for _ in 0..<connections {
            let connection = try unixSocket.map { try LineConnection(unixSocket: $0) } ?? LineConnection(port: port)
            // Our server greets; redis does not. The greeting is read before the login, so
            // the login's reply (after its slow hash) is awaited, not taken for the greeting.
            if !login.isEmpty { _ = try connection.readGreeting() }
            for line in login {
                let reply = try connection.roundTrip([line])
                if let refused = reply.first(where: { $0.hasPrefix("ERR") }) { throw ValidationFailure("login refused: \(refused)") }
            }
            lines.append(connection)
        }
        // Let the logins' slow hashes finish before the clock starts.
        Thread.sleep(forTimeInterval: 0.3)
        let latencies = LatencyStore()
        let completions = LatencyStore()
        let failureMessages = MessageStore()
        let finished = DispatchGroup()
        let workers = max(1, min(threads, connections))
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        for worker in 0..<workers {
            let mine = Array(stride(from: worker, to: connections, by: workers)).map { (index: $0, connection: lines[$0]) }
            let share = UnsafeTransfer(mine)
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                do {
                    let (local, completed) = try drive(share.value, deadline: deadline, pipeline: pipeline, requests: requests, perConnection: perConnection)
                    latencies.add(local)
                    completions.add([Double(completed)])
                } catch {
                    failureMessages.add("\(error)")
                }
            }
        }
        finished.wait()
        if let failure = failureMessages.values.first { throw ValidationFailure(failure) }
        let sorted = latencies.values.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let total = completions.values.reduce(0, +)
        return Figures(
            operationsPerSecond: total / seconds, p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99), maxMilliseconds: sorted.last ?? 0
        )
    }

    /// One thread's connections until the deadline: each sends its group, and the next as
    /// soon as the last reply of the group is in. Returns the latencies (ms) and the
    /// requests completed within the window.
    private static func drive(
        _ connections: [(index: Int, connection: LineConnection)], deadline: ContinuousClock.Instant, pipeline: Int, requests shared: [String],
        perConnection: [[String]]?
    ) throws -> ([Double], Int) {
        let lists = connections.map { perConnection?[$0.index] ?? shared }
        var next = connections.map { perConnection == nil ? ($0.index * 7_919) % max(1, shared.count) : 0 }
        var sentAt = Array(repeating: ContinuousClock.now, count: connections.count)
        var waiting = Array(repeating: 0, count: connections.count)
        var latencies: [Double] = []
        var completed = 0
        func send(_ slot: Int) throws {
            let requests = lists[slot]
            let group = (0..<pipeline).map { offset in requests[(next[slot] + offset) % requests.count] }
            next[slot] = (next[slot] + pipeline) % requests.count
            sentAt[slot] = ContinuousClock.now
            waiting[slot] = pipeline
            try connections[slot].connection.send(group)
        }
        for slot in connections.indices { try send(slot) }
        var descriptors = connections.map { pollfd(fd: $0.connection.descriptor, events: Int16(POLLIN), revents: 0) }
        while descriptors.contains(where: { $0.fd >= 0 }) {
            guard poll(&descriptors, nfds_t(descriptors.count), 1_000) >= 0 else { continue }
            for slot in descriptors.indices where descriptors[slot].fd >= 0 && descriptors[slot].revents != 0 {
                let replies = try connections[slot].connection.receiveReplies()
                if let refused = replies.first(where: { $0.hasPrefix("ERR") || $0.hasPrefix("-ERR") }) {
                    throw ValidationFailure("a request was refused: \(refused)")
                }
                waiting[slot] -= replies.count
                guard waiting[slot] <= 0 else { continue }
                let now = ContinuousClock.now
                let duration = now - sentAt[slot]
                latencies.append(Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
                if now <= deadline {
                    completed += pipeline
                    try send(slot)
                } else {
                    descriptors[slot].fd = -1
                }
            }
        }
        return (latencies, completed)
    }
}

/// Hands values to a thread that alone uses them from then on.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    // @unchecked: the sender never touches the value again.
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Latencies gathered from many threads.
final class LatencyStore: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var stored: [Double] = []
    func add(_ values: [Double]) { lock.lock(); stored += values; lock.unlock() }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// Messages gathered from many threads.
final class MessageStore: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ value: String) { lock.lock(); stored.append(value); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// A blocking TCP connection that sends request lines and reads one reply per line.
final class LineConnection {
    let descriptor: Int32
    private var chunk = [UInt8](repeating: 0, count: 65_536)
    /// Bytes received by ``receiveReplies()`` not yet consumed, from `pendingStart`.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(descriptor); throw ValidationFailure("cannot connect to port \(port)") }
    }

    /// A connection to a unix-domain socket file.
    init(unixSocket path: String) throws {
        descriptor = try PlainSocketTransport.connectedUnixSocket(path)
    }

    deinit { close(descriptor) }

    /// Reads the server's greeting line.
    func readGreeting() throws -> String {
        try awaitReplies(1)[0]
    }

    /// Sends the lines together without reading.
    func send(_ lines: [String]) throws {
        let bytes = Array(lines.map { $0 + "\r\n" }.joined().utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ValidationFailure("send failed") }
            offset += sent
        }
    }

    /// Reads what has arrived (one recv) and returns the first lines of the replies now
    /// complete; a reply cut short stays buffered for the next call.
    func receiveReplies() throws -> [String] {
        let count = recv(descriptor, &chunk, chunk.count, 0)
        guard count > 0 else { throw ValidationFailure("connection closed") }
        pending += chunk[..<count]
        var replies: [String] = []
        var position = pendingStart
        while true {
            guard let newline = pending[position...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let first = String(decoding: pending[position..<newline], as: UTF8.self)
            var end = newline + 1
            if first.hasPrefix("DATA "), let rows = Int(first.dropFirst(5)) {
                // The DATA line, then `rows` lines and END (rows counts the header).
                var complete = true
                for _ in 0...rows {
                    guard let lineEnd = pending[end...].firstIndex(of: UInt8(ascii: "\n")) else { complete = false; break }
                    end = lineEnd + 1
                }
                guard complete else { break }
            }
            replies.append(first)
            position = end
        }
        pendingStart = position
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        } else if pendingStart > 65_536 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        return replies
    }

    /// Sends the lines together and reads as many replies.
    func roundTrip(_ lines: [String]) throws -> [String] {
        try send(lines)
        return try awaitReplies(lines.count)
    }

    /// Reads until `count` replies are complete; returns their first lines.
    func awaitReplies(_ count: Int) throws -> [String] {
        var replies: [String] = []
        while replies.count < count { replies += try receiveReplies() }
        return replies
    }
}
