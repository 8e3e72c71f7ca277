import Foundation
import Synchronization

/// What the soak's workers share: the stop flag, the next cadre to self-assess, the queues
/// between the stages, and each minute's latencies by kind.
final class SoakLoad: Sendable {
    /// One minute's figures.
    struct Minute {
        var latencies: [String: [Double]] = [:]
        var errors = 0
        var seconds = 60.0
        var residentMiB = 0.0

        func count(_ kind: String) -> Int { latencies[kind]?.count ?? 0 }
        func rate(_ kind: String) -> Double { Double(count(kind)) / seconds }
        func p99(_ kind: String) -> Double {
            guard let values = latencies[kind], !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        }

        func row(index: Int, kinds: [String]) -> String {
            var line = String(format: "%-8d", index)
            for kind in kinds {
                line += String(format: "%-7.1f %-8.2f", rate(kind), p99(kind))
            }
            return line + String(format: "%-8d%.1f", errors, residentMiB)
        }
    }

    /// A queue of cadre codes between two stages.
    final class Queue: Sendable {
        private let items = Mutex<[String]>([])
        func push(_ code: String) { items.withLock { $0.append(code) } }
        func pop() -> String? { items.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    }

    let reviews = Queue()
    let approvals = Queue()
    private let stopFlag = Atomic<Bool>(false)
    private let next = Atomic<Int>(0)
    private let current = Mutex(Minute())
    private let problems = Mutex<(failure: String?, first: [String])>((nil, []))

    var stopped: Bool { stopFlag.load(ordering: .relaxed) }
    func stop() { stopFlag.store(true, ordering: .relaxed) }
    var nextCodeValue: Int { min(next.load(ordering: .relaxed), Int.max) }
    var failure: String? { problems.withLock { $0.failure } }
    var firstErrors: [String] { problems.withLock { $0.first } }

    /// The index of the next cadre to self-assess, or nil when all were.
    func nextCode(limit: Int) -> Int? {
        let index = next.add(1, ordering: .relaxed).oldValue
        return index < limit ? index : nil
    }

    /// Runs one request and records its latency under `kind`; true when the reply is OK.
    @discardableResult
    func time(_ kind: String, _ request: () throws -> String) throws -> Bool {
        let started = ContinuousClock.now
        let reply = try request()
        let milliseconds = (ContinuousClock.now - started).seconds * 1_000
        let ok = reply.hasPrefix("OK") || reply.hasPrefix("DATA")
        current.withLock { minute in
            minute.latencies[kind, default: []].append(milliseconds)
            if !ok { minute.errors += 1 }
        }
        if !ok { problems.withLock { if $0.first.count < 3 { $0.first.append("\(kind): \(reply.prefix(160))") } } }
        return ok
    }

    /// A worker stopped on an error.
    func fail(_ message: String) {
        problems.withLock { if $0.failure == nil { $0.failure = message } }
    }

    /// Hands over this minute's figures and starts the next.
    func takeMinute() -> Minute {
        current.withLock { minute in
            let taken = minute
            minute = Minute()
            return taken
        }
    }

    /// Sleeps up to `seconds`, waking early when the soak stops.
    func pause(seconds: Int) {
        for _ in 0..<(seconds * 10) where !stopped { usleep(100_000) }
    }
}
