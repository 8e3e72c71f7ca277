import CadreflowPostgres
import Foundation
import Logging

/// A schedule's action, returning a short detail.
public enum ScheduleAction: Sendable {
    /// Runs inside the transaction that records the period, with the engine on it: the
    /// period is marked run exactly when the action's writes commit.
    case inTransaction(@Sendable (EngineTransaction, ScheduleOccurrence) throws -> String)
    /// Runs after the period is recorded as `running`, outside any transaction, for work
    /// that needs connections of its own (a month opening of a million assessments through
    /// the split, two-phase bulk creation). It must be idempotent by its unique keys: a
    /// run that failed or whose service died (its lease runs out) is run again, and the
    /// period becomes `ran` only when the action returns.
    case afterRecording(@Sendable (ScheduleOccurrence) async throws -> String)
}

/// A schedule's state for introspection.
public struct ScheduleStatus: Sendable, Equatable {
    /// The schedule.
    public var schedule: ScheduleDefinition
    /// The last period recorded, if any.
    public var lastPeriod: String?
    /// Its status (`ran` or `skipped`).
    public var lastStatus: String?
    /// When it was recorded.
    public var lastRunAt: Date?
    /// The next due occurrence.
    public var next: ScheduleOccurrence?
}

/// What a scheduler round did for one schedule.
public struct ScheduleRun: Sendable, Equatable {
    /// The schedule's name.
    public var schedule: String
    /// The period.
    public var period: String
    /// `ran` or `skipped`.
    public var status: String
    /// `schedule`, `catch-up` or `manual`.
    public var trigger: String
    /// The action's detail.
    public var detail: String
}

/// Runs calendar schedules: every period once across any number of service instances.
///
/// Each schedule is handled under a transaction-scoped advisory lock (one leader at a
/// time), and `schedule_runs` has one row per (schedule, period): the action's writes and
/// that row commit together. Periods due before the schedule was first seen never run.
public final class Scheduler: Sendable {
    /// The schedules.
    public let schedules: [ScheduleDefinition]
    private let actions: [String: ScheduleAction]
    private let engine: WorkflowEngine
    private var pool: PostgresPool { engine.pool }
    /// How long a service instance may run an `afterRecording` action before another may
    /// take the period over (it died).
    private let lease: TimeInterval
    private let clock: any EngineClock
    private let timeZone: TimeZone
    private let onTimeWindow: TimeInterval
    private let logger: Logger

    /// A scheduler; every schedule's action must be registered.
    public init(
        schedules: [ScheduleDefinition], actions: [String: ScheduleAction], engine: WorkflowEngine,
        clock: any EngineClock = SystemClock(), timeZone: TimeZone, onTimeWindow: TimeInterval = 300, lease: TimeInterval = 900,
        logger: Logger = Logger(label: "cadreflow.scheduler")
    ) throws {
        for schedule in schedules where actions[schedule.action] == nil {
            throw DefinitionError(file: "schedules", key: "\(schedule.name).action", message: "unknown action \(schedule.action)")
        }
        self.schedules = schedules
        self.actions = actions
        self.engine = engine
        self.lease = lease
        self.clock = clock
        self.timeZone = timeZone
        self.onTimeWindow = onTimeWindow
        self.logger = logger
    }

    /// Runs every period that is due and not yet recorded. A period due more than the
    /// on-time window ago was missed (the service was down): it runs once (`fire_once`) or
    /// is recorded as skipped (`skip`).
    @discardableResult
    public func tick() async throws -> [ScheduleRun] {
        var runs: [ScheduleRun] = []
        for schedule in schedules {
            let now = clock.now()
            guard let due = ScheduleCalendar.latest(schedule, atOrBefore: now, timeZone: timeZone) else { continue }
            let late = now.timeIntervalSince(due.dueAt) > onTimeWindow
            let trigger = late ? "catch-up" : "schedule"
            let skip = late && schedule.missed == .skip
            if let run = try await record(schedule, due, trigger: trigger, skip: skip, requireRegisteredBefore: true) {
                runs.append(run)
            }
            runs += try await resumeUnfinished(schedule)
        }
        return runs
    }

    /// Runs a schedule's action now for a period (default: the latest due one), unless that
    /// period already ran.
    /// `attachedWrites` commit with the period's record (the command's audit row).
    public func runNow(_ name: String, period: String? = nil, attachedWrites: [PostgresStatement] = []) async throws -> ScheduleRun {
        guard let schedule = schedules.first(where: { $0.name == name }) else {
            throw EngineError(.notFound, "no schedule \(name) (schedules: \(schedules.map(\.name).joined(separator: ", ")))")
        }
        let now = clock.now()
        var occurrence = ScheduleCalendar.latest(schedule, atOrBefore: now, timeZone: timeZone)
            ?? ScheduleOccurrence(period: "manual", dueAt: now)
        if let period { occurrence = ScheduleOccurrence(period: period, dueAt: now) }
        guard let run = try await record(schedule, occurrence, trigger: "manual", skip: false, requireRegisteredBefore: false, attachedWrites: attachedWrites) else {
            throw EngineError(.refused, "\(name) already ran for period \(occurrence.period)")
        }
        return run
    }

    /// Every schedule with its last run and next occurrence.
    public func status() async throws -> [ScheduleStatus] {
        let now = clock.now()
        let zone = timeZone
        let schedules = self.schedules
        return try await pool.withConnection { connection in
            try schedules.map { schedule in
                let last = try connection.query(
                    "SELECT period, status, ran_at FROM schedule_runs WHERE schedule = $1 ORDER BY due_at DESC, ran_at DESC LIMIT 1", schedule.name
                )
                let row = last.rows.first
                return ScheduleStatus(
                    schedule: schedule, lastPeriod: try row?.decode(0), lastStatus: try row?.decode(1), lastRunAt: try row?.decode(2),
                    next: ScheduleCalendar.next(schedule, after: now, timeZone: zone)
                )
            }
        }
    }

    private func record(
        _ schedule: ScheduleDefinition, _ occurrence: ScheduleOccurrence, trigger: String, skip: Bool, requireRegisteredBefore: Bool,
        attachedWrites: [PostgresStatement] = []
    ) async throws -> ScheduleRun? {
        guard let action = actions[schedule.action] else { return nil }
        let now = clock.now()
        let context = engine.context
        let lease = self.lease
        let recorded: ScheduleRun?
        do {
            recorded = try await pool.withTransaction { connection in
                let leader = try connection.query("SELECT pg_try_advisory_xact_lock(hashtext('cadreflow.schedule.' || $1))", schedule.name).scalar(Bool.self) ?? false
                guard leader else { return nil }
                try connection.query("INSERT INTO schedules (name, registered_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", schedule.name, now)
                if requireRegisteredBefore {
                    let registered = try connection.query("SELECT registered_at FROM schedules WHERE name = $1", schedule.name).scalar(Date.self) ?? now
                    guard occurrence.dueAt >= registered else { return nil }
                }
                var status = skip ? "skipped" : "ran"
                if !skip, case .afterRecording = action { status = "running" }
                let fresh = try connection.query(
                    """
                    INSERT INTO schedule_runs (schedule, period, status, due_at, trigger, lease_until)
                    VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 = 'running' THEN $6::timestamptz END) ON CONFLICT DO NOTHING RETURNING 1
                    """,
                    schedule.name, occurrence.period, status, occurrence.dueAt, trigger, now.addingTimeInterval(lease)
                ).rowCount == 1
                guard fresh else { return nil }
                for statement in attachedWrites { try connection.query(statement.sql, parameters: statement.parameters) }
                var detail = "missed while the service was down; skipped by policy"
                if !skip {
                    switch action {
                    case .inTransaction(let run): detail = try run(EngineTransaction(connection: connection, context: context), occurrence)
                    case .afterRecording: detail = "running"
                    }
                }
                try connection.query("UPDATE schedule_runs SET detail = $3 WHERE schedule = $1 AND period = $2", schedule.name, occurrence.period, detail)
                return ScheduleRun(schedule: schedule.name, period: occurrence.period, status: status, trigger: trigger, detail: detail)
            }
        } catch {
            throw EngineError.classify(error)
        }
        guard let recorded, recorded.status == "running", case .afterRecording(let run) = action else { return recorded }
        return try await finish(schedule, ScheduleOccurrence(period: occurrence.period, dueAt: occurrence.dueAt), run: run, trigger: trigger)
    }

    /// Runs an `afterRecording` action for a period this instance holds the lease of, and
    /// marks the period `ran` (or leaves it `running` with the error, to be retried).
    private func finish(
        _ schedule: ScheduleDefinition, _ occurrence: ScheduleOccurrence, run: @Sendable (ScheduleOccurrence) async throws -> String, trigger: String
    ) async throws -> ScheduleRun {
        let detail: String
        do {
            detail = try await run(occurrence)
        } catch {
            let message = "\(error)"
            let now = clock.now()
            _ = try? await pool.withConnection { connection in
                _ = try connection.query(
                    "UPDATE schedule_runs SET detail = $3, lease_until = $4 WHERE schedule = $1 AND period = $2 AND status = 'running'",
                    schedule.name, occurrence.period, "failed, will retry: " + message, now
                )
            }
            logger.error("schedule action failed; it runs again next round", metadata: ["schedule": "\(schedule.name)", "period": "\(occurrence.period)", "error": "\(message)"])
            EngineMetrics.scheduleRun(ScheduleRun(schedule: schedule.name, period: occurrence.period, status: "failed", trigger: trigger, detail: message))
            throw EngineError.classify(error)
        }
        try await pool.withConnection { connection in
            _ = try connection.query(
                "UPDATE schedule_runs SET status = 'ran', detail = $3, ran_at = now(), lease_until = NULL WHERE schedule = $1 AND period = $2",
                schedule.name, occurrence.period, detail
            )
        }
        return ScheduleRun(schedule: schedule.name, period: occurrence.period, status: "ran", trigger: trigger, detail: detail)
    }

    /// Takes over periods left `running` whose lease ran out (their service died, or the
    /// action failed) and runs their action again.
    private func resumeUnfinished(_ schedule: ScheduleDefinition) async throws -> [ScheduleRun] {
        guard case .afterRecording(let run) = actions[schedule.action] else { return [] }
        let lease = self.lease
        let now = clock.now()
        let taken = try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE schedule_runs SET lease_until = $2 WHERE schedule = $1 AND status = 'running' AND lease_until <= $3
                RETURNING period, due_at
                """,
                schedule.name, now.addingTimeInterval(lease), now
            ).rows.map { ScheduleOccurrence(period: try $0.decode(0), dueAt: try $0.decode(1)) }
        }
        var runs: [ScheduleRun] = []
        for occurrence in taken {
            runs.append(try await finish(schedule, occurrence, run: run, trigger: "resumed"))
        }
        return runs
    }
}
