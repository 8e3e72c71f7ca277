import NIOHTTP1
import Prometheus
import Synchronization

/// What the operators' listener answers: `GET /metrics` (the Prometheus text exposition of
/// `registry`), `GET /healthz` (200 while the process runs) and `GET /readyz` (200 when
/// `readiness` finds no problem, else 503 listing them). `HEAD` is answered like `GET`.
public struct ProbeRoutes: Sendable {
    /// Problems that keep the service from serving (empty: ready), each one line.
    public typealias Readiness = @Sendable () async -> [String]

    let registry: PrometheusCollectorRegistry
    let readiness: Readiness
    let readinessTimeout: Duration

    /// Routes for `registry`, with `readiness` bounded by `readinessTimeout`.
    public init(registry: PrometheusCollectorRegistry, readinessTimeout: Duration = .seconds(2), readiness: @escaping Readiness) {
        self.registry = registry
        self.readiness = readiness
        self.readinessTimeout = readinessTimeout
    }

    /// The response to `method` on `uri` (its query string ignored).
    public func respond(method: HTTPMethod, uri: String) async -> ProbeResponse {
        guard method == .GET || method == .HEAD else {
            return ProbeResponse(.methodNotAllowed, "only GET and HEAD are answered here\n")
        }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        switch path {
        case "/metrics":
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return ProbeResponse(.ok, bytes: bytes, contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/healthz":
            return ProbeResponse(.ok, "ok\n")
        case "/readyz":
            let problems = await boundedReadiness()
            return problems.isEmpty
                ? ProbeResponse(.ok, "ready\n")
                : ProbeResponse(.serviceUnavailable, "not ready\n" + problems.map { "- \($0)\n" }.joined())
        default:
            return ProbeResponse(.notFound, "not found: \(path) (try /metrics, /healthz, /readyz)\n")
        }
    }

    /// The readiness problems, or one saying that the check took too long. The check runs in
    /// a task of its own and is not waited for past the timeout (even one that ignores
    /// cancellation, such as a database call stuck in the kernel).
    private func boundedReadiness() async -> [String] {
        let readiness = self.readiness
        let timeout = readinessTimeout
        let answer = OnceAnswer()
        return await withCheckedContinuation { continuation in
            answer.set(continuation)
            let check = Task { answer.resume(await readiness()) }
            Task {
                try? await Task.sleep(for: timeout)
                check.cancel()
                answer.resume(["the readiness check took longer than \(timeout)"])
            }
        }
    }
}

/// A continuation resumed by the first of several answers; the others are dropped.
private final class OnceAnswer: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<[String], Never>?, early: [String]?)>((nil, nil))

    func set(_ continuation: CheckedContinuation<[String], Never>) {
        let early = state.withLock { state -> [String]? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ problems: [String]) {
        let waiting = state.withLock { state -> CheckedContinuation<[String], Never>? in
            if let continuation = state.continuation {
                state.continuation = nil
                state.early = []
                return continuation
            }
            if state.early == nil { state.early = problems }
            return nil
        }
        waiting?.resume(returning: problems)
    }
}
