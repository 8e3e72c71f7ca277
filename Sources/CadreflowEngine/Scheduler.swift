import CadreflowPostgres
import Foundation
import Logging

/// A schedule's action: runs inside the transaction that records the period, so the
/// period is marked run exactly when the action's writes commit. Returns a short detail.
public typealias ScheduleAction = @Sendable (PostgresConnection, ScheduleOccurrence) throws -> String

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
    private let pool: PostgresPool
    private let clock: any EngineClock
    private let timeZone: TimeZone
    private let onTimeWindow: TimeInterval
    private let logger: Logger

    /// A scheduler; every schedule's action must be registered.
    public init(
        schedules: [ScheduleDefinition], actions: [String: ScheduleAction], pool: PostgresPool,
        clock: any EngineClock = SystemClock(), timeZone: TimeZone, onTimeWindow: TimeInterval = 300,
        logger: Logger = Logger(label: "cadreflow.scheduler")
    ) throws {
        for schedule in schedules where actions[schedule.action] == nil {
            throw DefinitionError(file: "schedules", key: "\(schedule.name).action", message: "unknown action \(schedule.action)")
        }
        self.schedules = schedules
        self.actions = actions
        self.pool = pool
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
        }
        return runs
    }

    /// Runs a schedule's action now for a period (default: the latest due one), unless that
    /// period already ran.
    public func runNow(_ name: String, period: String? = nil) async throws -> ScheduleRun {
        guard let schedule = schedules.first(where: { $0.name == name }) else {
            throw EngineError(.notFound, "no schedule \(name) (schedules: \(schedules.map(\.name).joined(separator: ", ")))")
        }
        let now = clock.now()
        var occurrence = ScheduleCalendar.latest(schedule, atOrBefore: now, timeZone: timeZone)
            ?? ScheduleOccurrence(period: "manual", dueAt: now)
        if let period { occurrence = ScheduleOccurrence(period: period, dueAt: now) }
        guard let run = try await record(schedule, occurrence, trigger: "manual", skip: false, requireRegisteredBefore: false) else {
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
        _ schedule: ScheduleDefinition, _ occurrence: ScheduleOccurrence, trigger: String, skip: Bool, requireRegisteredBefore: Bool
    ) async throws -> ScheduleRun? {
        guard let action = actions[schedule.action] else { return nil }
        let now = clock.now()
        do {
            return try await pool.withTransaction { connection in
                let leader = try connection.query("SELECT pg_try_advisory_xact_lock(hashtext('cadreflow.schedule.' || $1))", schedule.name).scalar(Bool.self) ?? false
                guard leader else { return nil }
                try connection.query("INSERT INTO schedules (name, registered_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", schedule.name, now)
                if requireRegisteredBefore {
                    let registered = try connection.query("SELECT registered_at FROM schedules WHERE name = $1", schedule.name).scalar(Date.self) ?? now
                    guard occurrence.dueAt >= registered else { return nil }
                }
                let fresh = try connection.query(
                    "INSERT INTO schedule_runs (schedule, period, status, due_at, trigger) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1",
                    schedule.name, occurrence.period, skip ? "skipped" : "ran", occurrence.dueAt, trigger
                ).rowCount == 1
                guard fresh else { return nil }
                let detail = skip ? "missed while the service was down; skipped by policy" : try action(connection, occurrence)
                try connection.query("UPDATE schedule_runs SET detail = $3 WHERE schedule = $1 AND period = $2", schedule.name, occurrence.period, detail)
                return ScheduleRun(schedule: schedule.name, period: occurrence.period, status: skip ? "skipped" : "ran", trigger: trigger, detail: detail)
            }
        } catch {
            throw EngineError.classify(error)
        }
    }
}
