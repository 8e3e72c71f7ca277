import CadreflowDefinitions
import CadreflowEngine
import CadreflowPostgres
import Foundation
import Synchronization
import Testing

@Suite("Calendar schedules")
struct ScheduleTests {
    static let monthly = ScheduleDefinition(name: "open-monthly-cycle", action: "count_run", frequency: .monthly(day: 1), hour: 0, minute: 5, missed: .fireOnce)
    static let zone = EngineHarness.hanoi

    /// 2024-07-01 00:05 in Hanoi.
    static let julyDue = Date(timeIntervalSince1970: 1_719_767_100)

    private func action() -> [String: ScheduleAction] {
        ["count_run": .inTransaction { engine, occurrence in
            let connection = engine.connection
            try connection.execute("CREATE TABLE IF NOT EXISTS cycle_opens (period text)")
            try connection.query("INSERT INTO cycle_opens VALUES ($1)", occurrence.period)
            return "opened \(occurrence.period)"
        }]
    }

    @Test("Calendar: monthly on day 1 at 00:05 in Hanoi; day 31 falls on the last day of short months")
    func calendar() {
        let before = Self.julyDue.addingTimeInterval(-1)
        #expect(ScheduleCalendar.latest(Self.monthly, atOrBefore: Self.julyDue, timeZone: Self.zone)?.period == "2024-07")
        #expect(ScheduleCalendar.latest(Self.monthly, atOrBefore: before, timeZone: Self.zone)?.period == "2024-06")
        #expect(ScheduleCalendar.next(Self.monthly, after: before, timeZone: Self.zone) == ScheduleOccurrence(period: "2024-07", dueAt: Self.julyDue))
        var endOfMonth = Self.monthly
        endOfMonth.frequency = .monthly(day: 31)
        let february = ScheduleCalendar.next(endOfMonth, after: Date(timeIntervalSince1970: 1_706_745_600), timeZone: Self.zone)
        #expect(february?.period == "2024-02")
        #expect(february.map { Calendar.current.dateComponents(in: Self.zone, from: $0.dueAt).day } == 29)
    }

    @Test("Two schedulers on one database: each period runs exactly once")
    func exactlyOnce() async throws {
        let h = try await EngineHarness(start: Self.julyDue.addingTimeInterval(-3600))
        defer { h.shutdown() }
        let first = try Scheduler(schedules: [Self.monthly], actions: action(), engine: h.engine, clock: h.clock, timeZone: Self.zone)
        let second = try Scheduler(schedules: [Self.monthly], actions: action(), engine: try h.secondEngine(), clock: h.clock, timeZone: Self.zone)
        #expect(try await first.tick().isEmpty) // registers the schedule; the June period predates it
        h.clock.set(Self.julyDue.addingTimeInterval(30))
        async let a = first.tick()
        async let b = second.tick()
        let runs = try await a + b
        #expect(runs.map(\.period) == ["2024-07"])
        #expect(runs.first?.trigger == "schedule")
        #expect(try await first.tick().isEmpty)
        #expect(try await second.tick().isEmpty)
        #expect(try h.count("SELECT count(*) FROM cycle_opens") == 1)
        let status = try await first.status()
        #expect(status.first?.lastPeriod == "2024-07")
        #expect(status.first?.next?.period == "2024-08")
    }

    @Test("A period missed while the service was down fires once at start, or is skipped by policy")
    func missed() async throws {
        let h = try await EngineHarness(start: Self.julyDue.addingTimeInterval(-86_400))
        defer { h.shutdown() }
        let scheduler = try Scheduler(schedules: [Self.monthly], actions: action(), engine: h.engine, clock: h.clock, timeZone: Self.zone)
        try await scheduler.tick()
        // Down from June 30 to August 3: July and August were both missed; one catch-up run.
        h.clock.set(Self.julyDue.addingTimeInterval(33 * 86_400))
        let runs = try await scheduler.tick()
        #expect(runs.map(\.period) == ["2024-08"])
        #expect(runs.first?.trigger == "catch-up")
        #expect(try await scheduler.tick().isEmpty)

        var skipping = Self.monthly
        skipping.name = "skipper"
        skipping.missed = .skip
        let skipper = try Scheduler(schedules: [skipping], actions: action(), engine: h.engine, clock: h.clock, timeZone: Self.zone)
        h.clock.set(Self.julyDue.addingTimeInterval(-86_400))
        try await skipper.tick()
        h.clock.set(Self.julyDue.addingTimeInterval(2 * 86_400))
        let skipped = try await skipper.tick()
        #expect(skipped.map(\.status) == ["skipped"])
        #expect(try h.count("SELECT count(*) FROM cycle_opens") == 1)
    }

    @Test("An operator can run a schedule by hand, once per period")
    func manual() async throws {
        let h = try await EngineHarness(start: Self.julyDue.addingTimeInterval(60))
        defer { h.shutdown() }
        let scheduler = try Scheduler(schedules: [Self.monthly], actions: action(), engine: h.engine, clock: h.clock, timeZone: Self.zone)
        let run = try await scheduler.runNow("open-monthly-cycle", period: "2024-05")
        #expect(run.trigger == "manual")
        #expect(run.detail == "opened 2024-05")
        let again = await #expect(throws: EngineError.self) { try await scheduler.runNow("open-monthly-cycle", period: "2024-05") }
        #expect(again?.message.contains("already ran") == true)
        let unknown = await #expect(throws: EngineError.self) { try await scheduler.runNow("nope") }
        #expect(unknown?.kind == .notFound)
        #expect(throws: DefinitionError.self) {
            try Scheduler(schedules: [Self.monthly], actions: [:], engine: h.engine, timeZone: Self.zone)
        }
    }
}

@Suite("Schedule files")
struct ScheduleLoaderTests {
    @Test("The shipped config/schedules.json (built in) loads: monthly on day 1 at 00:05, fire once when missed")
    func shipped() throws {
        let schedules = try ScheduleLoader.load(file: DefinitionFiles.schedulesPath(configured: ""))
        #expect(schedules == [ScheduleDefinition(name: "open-monthly-cycle", action: "open_monthly_cycle", frequency: .monthly(day: 1), hour: 0, minute: 5, missed: .fireOnce)])
    }

    @Test("Problems name the key", arguments: [
        (#"[{"name": "a", "action": "x", "every": "month", "day": 1, "time": "00:05", "colour": "red"}]"#, "[0].colour"),
        (#"[{"name": "a", "action": "x", "every": "month", "day": 1, "time": "25:00"}]"#, "[0].time"),
        (#"[{"name": "a", "action": "x", "every": "day", "day": 3, "time": "01:00"}]"#, "[0].day"),
        (#"[{"name": "a", "action": "x", "every": "week", "time": "01:00"}]"#, "[0].every"),
        (#"[{"name": "a", "action": "x", "every": "month", "day": 40, "time": "01:00"}]"#, "[0].day"),
        (#"[{"name": "a", "action": "x", "every": "day", "time": "01:00"}, {"name": "a", "action": "y", "every": "day", "time": "02:00"}]"#, "[1].name"),
        (#"{"name": "a"}"#, "(root)"),
    ])
    func problems(json: String, key: String) {
        let error = #expect(throws: DefinitionError.self) { try ScheduleLoader.parse(Data(json.utf8), file: "s.json") }
        #expect(error?.key == key)
        #expect(error?.file == "s.json")
    }
}
