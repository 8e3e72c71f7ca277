import Synchronization

/// Counts open connections and sessions per account, for the caps.
final class SessionCounter: Sendable {
    private struct Counts {
        var connections = 0
        var perAccount: [String: Int] = [:]
    }

    private let counts = Mutex(Counts())
    private let metrics: ServerMetrics

    init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Takes a connection slot unless `limit` are open.
    func openConnection(limit: Int) -> Bool {
        // The gauge is set under the lock, so that it never shows an older count last.
        counts.withLock { counts in
            guard counts.connections < limit else { return false }
            counts.connections += 1
            metrics.openConnections(counts.connections)
            return true
        }
    }

    func closeConnection() {
        counts.withLock { counts in
            counts.connections -= 1
            metrics.openConnections(counts.connections)
        }
    }

    /// Takes a session slot for an account unless `limit` are open.
    func openSession(_ login: String, limit: Int) -> Bool {
        counts.withLock { counts in
            guard counts.perAccount[login, default: 0] < limit else { return false }
            counts.perAccount[login, default: 0] += 1
            return true
        }
    }

    func closeSession(_ login: String) {
        counts.withLock { counts in
            counts.perAccount[login, default: 1] -= 1
            if counts.perAccount[login] == 0 { counts.perAccount[login] = nil }
        }
    }
}
