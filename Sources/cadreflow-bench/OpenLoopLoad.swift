import Foundation
import Synchronization

/// An open-loop load: requests go out on a fixed schedule (`rate` per second, spread over
/// the connections round-robin) whether or not earlier ones were answered, and each
/// latency is measured from the moment the request was due, not from when it could be
/// sent, so a stall counts in full for every request it delays (no coordinated omission).
enum OpenLoopLoad {
    /// What the sending and the receiving thread share.
    final class State: Sendable {
        /// Per connection, the due times of the requests still unanswered, oldest first.
        let due: Mutex<[[ContinuousClock.Instant]]>
        let latencies = Mutex([Double]())
        let failure = Mutex<String?>(nil)

        init(connections: Int) {
            due = Mutex(Array(repeating: [], count: connections))
        }
    }

    struct Figures {
        var sent: Int
        var answered: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var p999Milliseconds: Double
        var maxMilliseconds: Double
    }

    /// Each request must be answered with one line that is not an error.
    static func run(port: Int, connections: Int, rate: Double, seconds: Double, login: [String], requests: [String]) throws -> Figures {
        var lines: [LineConnection] = []
        for _ in 0..<connections {
            let connection = try LineConnection(port: port)
            _ = try connection.readGreeting()
            for line in login {
                if let refused = try connection.roundTrip([line]).first(where: { $0.hasPrefix("ERR") }) { throw ValidationFailure("login refused: \(refused)") }
            }
            lines.append(connection)
        }
        let total = min(requests.count, Int(rate * seconds))
        let state = State(connections: connections)
        let shared = UnsafeTransfer(lines)
        let start = ContinuousClock.now + .milliseconds(100)
        let receiver = Thread {
            var remaining = total
            var descriptors = shared.value.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let giveUp = start + .milliseconds(Int(seconds * 1000) + 10_000)
            while remaining > 0, ContinuousClock.now < giveUp {
                guard poll(&descriptors, nfds_t(descriptors.count), 100) > 0 else { continue }
                for slot in descriptors.indices where descriptors[slot].revents != 0 {
                    do {
                        let replies = try shared.value[slot].receiveReplies()
                        let now = ContinuousClock.now
                        for reply in replies {
                            if reply.hasPrefix("ERR") { state.failure.withLock { $0 = $0 ?? reply } }
                            guard let scheduled = state.due.withLock({ $0[slot].isEmpty ? nil : $0[slot].removeFirst() }) else { continue }
                            let waited = now - scheduled
                            state.latencies.withLock { $0.append(Double(waited.components.seconds) * 1000 + Double(waited.components.attoseconds) / 1e15) }
                            remaining -= 1
                        }
                    } catch {
                        state.failure.withLock { $0 = $0 ?? "\(error)" }
                        remaining = 0
                    }
                }
            }
        }
        receiver.start()
        let interval = Duration.nanoseconds(Int64(1e9 / rate))
        for index in 0..<total {
            let when = start + interval * index
            let wait = when - ContinuousClock.now
            if wait > .microseconds(50) { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds)) }
            let slot = index % connections
            state.due.withLock { $0[slot].append(when) }
            try lines[slot].send([requests[index]])
        }
        // Wait for the answers (or the receiver's give-up).
        while !receiver.isFinished && state.latencies.withLock({ $0.count }) < total && state.failure.withLock({ $0 }) == nil {
            Thread.sleep(forTimeInterval: 0.01)
            if ContinuousClock.now > start + .milliseconds(Int(seconds * 1000) + 11_000) { break }
        }
        if let failed = state.failure.withLock({ $0 }) { throw ValidationFailure("a request failed: \(failed)") }
        let sorted = state.latencies.withLock { $0 }.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Figures(
            sent: total, answered: sorted.count, p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99),
            p999Milliseconds: percentile(0.999), maxMilliseconds: sorted.last ?? .nan
        )
    }
}
