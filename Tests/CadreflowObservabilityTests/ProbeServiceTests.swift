import CadreflowObservability
import CadreflowTesting
import Dispatch
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

@Suite("The operators' HTTP listener: /metrics, /healthz, /readyz")
struct ProbeServiceTests {
    /// What the readiness check answers next.
    final class Problems: Sendable {
        let current = Mutex<[String]>([])
        let hang = Atomic<Bool>(false)
    }

    /// Runs a listener on a free port with `routes` while `body` runs.
    func withListener(_ routes: ProbeRoutes, _ body: @Sendable (Int) async throws -> Void) async throws {
        let (bound, signal) = AsyncStream<Int>.makeStream()
        let service = ProbeService(host: "127.0.0.1", port: 0, routes: routes) { address in
            signal.yield(address.port ?? 0)
            signal.finish()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { signal.finish() }
                try await service.run()
            }
            var port = 0
            for await value in bound { port = value }
            try #require(port > 0)
            try await body(port)
            group.cancelAll()
        }
    }

    @Test("GET /metrics shows what was counted; /healthz is 200; /readyz is 200, then 503 naming each problem, then 503 when the check hangs")
    func probes() async throws {
        let registry = PrometheusCollectorRegistry()
        PrometheusMetricsFactory(registry: registry)
            .makeCounter(label: "cadreflow_commands_total", dimensions: [("command", "CADRE SHOW"), ("result", "OK")])
            .increment(by: Int64(3))
        let problems = Problems()
        // Room for a loaded machine: a check that answers is never cut off; the hanging one (30 s) is.
        let routes = ProbeRoutes(registry: registry, readinessTimeout: .seconds(2)) {
            if problems.hang.load(ordering: .relaxed) {
                // Stuck and deaf to cancellation, as a call blocked in the kernel would be.
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
                }
            }
            return problems.current.withLock { $0 }
        }
        try await withListener(routes) { port in
            let metrics = try await HTTPGet.get(port: port, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.contains("cadreflow_commands_total{command=\"CADRE SHOW\",result=\"OK\"} 3"), "\(metrics.body)")

            #expect(try await HTTPGet.get(port: port, "/healthz").status == 200)
            let ready = try await HTTPGet.get(port: port, "/readyz")
            #expect(ready.status == 200 && ready.body == "ready\n")

            problems.current.withLock { $0 = ["the database is unreachable: connection refused", "the workflow engine is not running"] }
            let notReady = try await HTTPGet.get(port: port, "/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.body.contains("- the database is unreachable: connection refused\n"))
            #expect(notReady.body.contains("- the workflow engine is not running\n"))

            problems.hang.store(true, ordering: .relaxed)
            let clock = ContinuousClock()
            let started = clock.now
            let hung = try await HTTPGet.get(port: port, "/readyz")
            #expect(hung.status == 503 && hung.body.contains("took longer than"))
            #expect(clock.now - started < .seconds(10), "a hanging readiness check is cut off, not waited for")
            // Healthz stays 200 whatever readiness says: the process is up.
            #expect(try await HTTPGet.get(port: port, "/healthz").status == 200)
        }
    }

    @Test("Other paths are 404, other methods 405, HEAD has no body; the query string is ignored")
    func otherRequests() async throws {
        let routes = ProbeRoutes(registry: PrometheusCollectorRegistry()) { [] }
        try await withListener(routes) { port in
            let missing = try await HTTPGet.get(port: port, "/admin")
            #expect(missing.status == 404 && missing.body.contains("/metrics"))
            #expect(try await HTTPGet.get(port: port, "/healthz", method: "POST").status == 405)
            let head = try await HTTPGet.get(port: port, "/healthz", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(try await HTTPGet.get(port: port, "/healthz?verbose=1").status == 200)
        }
    }
}
