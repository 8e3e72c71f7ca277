import CadreflowDatabase
import CadreflowEngine
import CadreflowObservability
import CadreflowPostgres
import CadreflowServer
import Metrics
import Prometheus
import Synchronization

/// The service's metrics and probes: a Prometheus registry bootstrapped as the process's
/// swift-metrics backend (latency buckets fit for commands that take a millisecond), and
/// the readiness check behind `/readyz`.
enum ServeObservability {
    /// Bootstraps swift-metrics with a Prometheus registry and returns the registry.
    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[ServerMetrics.durationLabel] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        factory.durationHistogramBuckets["cadreflow_pool_wait_seconds"] = [
            .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
            .seconds(1), .seconds(5),
        ]
        factory.valueHistogramBuckets[EngineMetrics.batchSizeLabel] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024]
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// What keeps the service from serving, each in one line: the database unreachable, a
    /// migration not applied (or one this build does not know), the engine not running.
    static func readiness(pool: PostgresPool, engine: EngineLiveness) throws -> ProbeRoutes.Readiness {
        let migrator = Migrator(migrations: try Migration.bundled())
        return {
            var problems: [String] = []
            do {
                let pending = try await pool.withConnection { connection in
                    try migrator.status(connection).filter { $0.appliedAt == nil }.map(\.migration.name)
                }
                if !pending.isEmpty { problems.append("migrations not applied: \(pending.joined(separator: ", "))") }
            } catch let error as PostgresError {
                problems.append("the database is unreachable: \(error.message)")
            } catch {
                problems.append("the migrations cannot be checked: \(error)")
            }
            if !engine.isRunning { problems.append("the workflow engine is not running") }
            return problems
        }
    }
}

/// Whether the engine's timers and schedules are being run (set by ``EngineRunnerService``).
final class EngineLiveness: Sendable {
    private let running = Atomic<Bool>(false)

    var isRunning: Bool { running.load(ordering: .relaxed) }

    func set(_ value: Bool) {
        running.store(value, ordering: .relaxed)
    }
}
