import Foundation

/// A calendar schedule that runs a named action once per period, e.g. "monthly, day 1,
/// 00:05" to open the month's assessment cycle.
public struct ScheduleDefinition: Sendable, Equatable {
    /// How often.
    public enum Frequency: Sendable, Equatable {
        /// Every month on `day` (the last day when the month is shorter).
        case monthly(day: Int)
        /// Every day.
        case daily
    }

    /// What to do when the service was down at a due moment.
    public enum MissedPolicy: String, Sendable, Equatable {
        /// Run the latest missed period once at start.
        case fireOnce = "fire_once"
        /// Record the missed period as skipped.
        case skip
    }

    /// The schedule's name.
    public var name: String
    /// The action to run (registered by a domain).
    public var action: String
    /// How often.
    public var frequency: Frequency
    /// Hour of the day, 0…23, in the service's zone.
    public var hour: Int
    /// Minute, 0…59.
    public var minute: Int
    /// What to do about missed periods.
    public var missed: MissedPolicy

    /// A schedule from its parts.
    public init(name: String, action: String, frequency: Frequency, hour: Int, minute: Int, missed: MissedPolicy) {
        self.name = name
        self.action = action
        self.frequency = frequency
        self.hour = hour
        self.minute = minute
        self.missed = missed
    }
}

/// One due moment of a schedule: its period key and time.
public struct ScheduleOccurrence: Sendable, Equatable {
    /// `YYYY-MM` for monthly schedules, `YYYY-MM-DD` for daily ones.
    public var period: String
    /// When it is due.
    public var dueAt: Date

    /// An occurrence from its parts.
    public init(period: String, dueAt: Date) {
        self.period = period
        self.dueAt = dueAt
    }
}

/// Calendar arithmetic for schedules (pure).
public enum ScheduleCalendar {
    /// The latest occurrence due at or before `date`.
    public static func latest(_ schedule: ScheduleDefinition, atOrBefore date: Date, timeZone: TimeZone) -> ScheduleOccurrence? {
        let calendar = gregorian(timeZone)
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        switch schedule.frequency {
        case .daily:
            for back in 0...1 {
                if let candidate = occurrence(schedule, year: year, month: month, day: day - back, calendar: calendar), candidate.dueAt <= date {
                    return candidate
                }
            }
        case .monthly:
            for back in 0...1 {
                if let candidate = occurrence(schedule, year: year, month: month - back, day: nil, calendar: calendar), candidate.dueAt <= date {
                    return candidate
                }
            }
        }
        return nil
    }

    /// The first occurrence due strictly after `date`.
    public static func next(_ schedule: ScheduleDefinition, after date: Date, timeZone: TimeZone) -> ScheduleOccurrence? {
        let calendar = gregorian(timeZone)
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        for ahead in 0...1 {
            let candidate: ScheduleOccurrence?
            switch schedule.frequency {
            case .daily: candidate = occurrence(schedule, year: year, month: month, day: day + ahead, calendar: calendar)
            case .monthly: candidate = occurrence(schedule, year: year, month: month + ahead, day: nil, calendar: calendar)
            }
            if let candidate, candidate.dueAt > date { return candidate }
        }
        return nil
    }

    private static func gregorian(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The occurrence in a month (monthly) or on a day (daily); months and days may overflow.
    private static func occurrence(_ schedule: ScheduleDefinition, year: Int, month: Int, day: Int?, calendar: Calendar) -> ScheduleOccurrence? {
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)) else { return nil }
        let normal = calendar.dateComponents([.year, .month], from: first)
        guard let realYear = normal.year, let realMonth = normal.month,
              let days = calendar.range(of: .day, in: .month, for: first)?.count else { return nil }
        let targetDay: Int
        switch schedule.frequency {
        case .monthly(let wanted): targetDay = min(wanted, days)
        case .daily: targetDay = day ?? 1
        }
        guard let due = calendar.date(from: DateComponents(year: realYear, month: realMonth, day: targetDay, hour: schedule.hour, minute: schedule.minute)) else {
            return nil
        }
        let dueParts = calendar.dateComponents([.year, .month, .day], from: due)
        let period: String
        switch schedule.frequency {
        case .monthly: period = String(format: "%04d-%02d", realYear, realMonth)
        case .daily: period = String(format: "%04d-%02d-%02d", dueParts.year ?? 0, dueParts.month ?? 0, dueParts.day ?? 0)
        }
        return ScheduleOccurrence(period: period, dueAt: due)
    }
}
