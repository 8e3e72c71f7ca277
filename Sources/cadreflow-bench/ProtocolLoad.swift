import Foundation

/// A load generator for line protocols (ours, or anything answering one line per request):
/// N connections on their own threads, each sending requests for a fixed time, either one
/// at a time or in pipelined groups, recording per-request (or per-group) latency.
enum ProtocolLoad {
    struct Figures {
        var operationsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double = .nan
    }

    /// Runs the load for `seconds`. Each connection first sends its `login` lines; the
    /// clock starts only once every connection is connected and logged in (a login is a
    /// deliberately slow password hash and is not what is measured). Every reply must be
    /// one line or a DATA block, and none may be an error. Each connection cycles through
    /// `requests` from its own starting point.
    static func run(port: Int, connections: Int, seconds: Double, pipeline: Int, login: [String], requests: [String]) throws -> Figures {
        let latencies = LatencyStore()
        let failures = LatencyStore()
        let failureMessages = MessageStore()
        let completions = LatencyStore()
        let ready = DispatchGroup()
        let finished = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        for index in 0..<connections {
            ready.enter()
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                let connection: LineConnection
                do {
                    connection = try LineConnection(port: port)
                    for line in login { _ = try connection.roundTrip([line]) }
                } catch {
                    failures.add([1])
                    ready.leave()
                    return
                }
                ready.leave()
                gate.wait()
                let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                var next = (index * 7_919) % max(1, requests.count)
                var local: [Double] = []
                var completedInWindow = 0
                defer { completions.add([Double(completedInWindow)]) }
                do {
                    while ContinuousClock.now < deadline {
                        let group = (0..<pipeline).map { offset in requests[(next + offset) % requests.count] }
                        next = (next + pipeline) % requests.count
                        let begin = ContinuousClock.now
                        let replies = try connection.roundTrip(group)
                        if let refused = replies.first(where: { $0.hasPrefix("ERR") || $0.hasPrefix("-ERR") }) {
                            throw ValidationFailure("a request was refused: \(refused)")
                        }
                        let end = ContinuousClock.now
                        let duration = end - begin
                        local.append(Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
                        // Like pgbench -T: only what completed within the window counts for throughput.
                        if end <= deadline { completedInWindow += pipeline }
                    }
                } catch {
                    failures.add([1])
                    failureMessages.add("\(error)")
                }
                latencies.add(local)
            }
        }
        ready.wait()
        // Let the logins' slow hashes finish on every thread before the clock starts.
        Thread.sleep(forTimeInterval: 0.5)
        for _ in 0..<connections { gate.signal() }
        finished.wait()
        guard failures.values.isEmpty else {
            throw ValidationFailure("\(failures.values.count) connections failed: \(failureMessages.values.first ?? "could not connect or log in")")
        }
        let sorted = latencies.values.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        // Throughput: requests completed within each connection's window of `seconds`.
        let total = completions.values.reduce(0, +)
        return Figures(
            operationsPerSecond: total / seconds, p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99), maxMilliseconds: sorted.last ?? 0
        )
    }
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
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts.
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 65_536)

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

    deinit { close(descriptor) }

    /// Sends the lines together and reads as many replies.
    func roundTrip(_ lines: [String]) throws -> [String] {
        let bytes = Array(lines.map { $0 + "\r\n" }.joined().utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ValidationFailure("send failed") }
            offset += sent
        }
        var replies: [String] = []
        for _ in lines {
            let first = try readLine()
            if first.hasPrefix("DATA "), let count = Int(first.dropFirst(5)) {
                for _ in 0...count { _ = try readLine() }
            }
            replies.append(first)
        }
        return replies
    }

    private func readLine() throws -> String {
        var searched = start
        while true {
            if let newline = buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                if start == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                }
                return line
            }
            searched = buffer.count
            if start > 0 {
                buffer.removeFirst(start)
                searched -= start
                start = 0
            }
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { throw ValidationFailure("connection closed") }
            buffer += chunk[..<count]
        }
    }
}
