import Metrics

/// What the engine reports through swift-metrics: group-commit batch sizes, timers taken up,
/// fired and dropped, schedule runs by status, and rounds that failed.
public enum EngineMetrics {
    /// The histogram of committed transition batch sizes.
    public static let batchSizeLabel = "cadreflow_transition_batch_size"
    /// The counter of due timers taken up by a round.
    public static let timersDueLabel = "cadreflow_timers_due_total"
    /// The counter of timers whose transition was applied.
    public static let timersFiredLabel = "cadreflow_timers_fired_total"
    /// The counter of timers dropped (their transition no longer legal).
    public static let timersDroppedLabel = "cadreflow_timers_dropped_total"
    /// The counter of schedule runs, by `schedule` and `status`.
    public static let scheduleRunsLabel = "cadreflow_schedule_runs_total"
    /// The counter of engine rounds that failed (the database was unavailable, say).
    public static let roundFailuresLabel = "cadreflow_engine_round_failures_total"

    static func timers(_ report: TimerReport) {
        guard report.fired + report.dropped > 0 else { return }
        Counter(label: timersDueLabel).increment(by: report.fired + report.dropped)
        Counter(label: timersFiredLabel).increment(by: report.fired)
        Counter(label: timersDroppedLabel).increment(by: report.dropped)
    }

    static func scheduleRun(_ run: ScheduleRun) {
        Counter(label: scheduleRunsLabel, dimensions: [("schedule", run.schedule), ("status", run.status)]).increment()
    }

    static func roundFailed() {
        Counter(label: roundFailuresLabel).increment()
    }
}
