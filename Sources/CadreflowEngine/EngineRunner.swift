import Foundation
import Logging

/// The engine's background work in a running service: fire due timers and run due
/// schedule periods, every tick, until the task is cancelled. The first round runs at
/// once, which is the catch-up after downtime.
public struct EngineRunner: Sendable {
    private let engine: WorkflowEngine
    private let scheduler: Scheduler?
    private let interval: Duration
    private let logger: Logger

    /// A runner for an engine and (optionally) a scheduler.
    public init(engine: WorkflowEngine, scheduler: Scheduler?, interval: Duration, logger: Logger) {
        self.engine = engine
        self.scheduler = scheduler
        self.interval = interval
        self.logger = logger
    }

    /// Runs until cancelled. Failures (the database is down) are logged and retried next tick.
    public func run() async {
        while !Task.isCancelled {
            await round()
            try? await Task.sleep(for: interval)
        }
    }

    /// One round: bulk creations a dead service left in doubt, timers until none are
    /// due, then schedules.
    public func round() async {
        do {
            let resolved = try await engine.resolveInDoubtBulkParts()
            if resolved.committed + resolved.rolledBack > 0 {
                logger.notice("in-doubt bulk creation parts resolved", metadata: [
                    "committed": "\(resolved.committed)", "rolled_back": "\(resolved.rolledBack)",
                ])
            }
        } catch {
            logger.warning("resolving in-doubt bulk creations failed; retrying next tick", metadata: ["error": "\(error)"])
        }
        do {
            let limit = 500
            while true {
                let report = try await engine.fireDueTimers(limit: limit)
                EngineMetrics.timers(report)
                if report.fired + report.dropped > 0 {
                    logger.info("timers fired", metadata: ["fired": "\(report.fired)", "dropped": "\(report.dropped)"])
                }
                if report.fired + report.dropped < limit || Task.isCancelled { break }
            }
            for run in try await scheduler?.tick() ?? [] {
                EngineMetrics.scheduleRun(run)
                logger.notice("schedule ran", metadata: [
                    "schedule": "\(run.schedule)", "period": "\(run.period)", "status": "\(run.status)",
                    "trigger": "\(run.trigger)", "detail": "\(run.detail)",
                ])
            }
        } catch {
            EngineMetrics.roundFailed()
            logger.warning("engine round failed; retrying next tick", metadata: ["error": "\(error)"])
        }
    }
}
