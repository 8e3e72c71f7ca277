import Synchronization

/// Takes one login's attempts one at a time (in this process): each waits for the
/// outcome of the one before. Attempts are counted before their password is hashed
/// (see ``AccountStore/authenticate(login:password:logger:)``), so without turns fifty
/// right passwords sent at once would count as fifty attempts and lock the account; in
/// turn, each right one clears the count before the next is counted, and wrong ones
/// still stop at the limit.
final class LoginTurns: Sendable {
    private struct Queue {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let queues = Mutex<[String: Queue]>([:])

    /// Runs `body` once every earlier attempt for `login` has finished.
    func inTurn<T: Sendable>(_ login: String, _ body: () async throws -> T) async throws -> T {
        await acquire(login)
        defer { release(login) }
        return try await body()
    }

    private func acquire(_ login: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = queues.withLock { queues -> Bool in
                var queue = queues[login] ?? Queue()
                defer { queues[login] = queue }
                if queue.busy {
                    queue.waiting.append(continuation)
                    return false
                }
                queue.busy = true
                return true
            }
            if now { continuation.resume() }
        }
    }

    private func release(_ login: String) {
        let next = queues.withLock { queues -> CheckedContinuation<Void, Never>? in
            guard var queue = queues[login] else { return nil }
            if queue.waiting.isEmpty {
                queues[login] = nil
                return nil
            }
            let next = queue.waiting.removeFirst()
            queues[login] = queue
            return next
        }
        next?.resume()
    }
}
