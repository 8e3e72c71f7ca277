import Foundation

/// A day of the calendar (`YYYY-MM-DD`), without a time or a zone.
public struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year.
    public var year: Int
    /// The month, 1…12.
    public var month: Int
    /// The day of the month.
    public var day: Int

    /// A day, or nil when it does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...CalendarDay.days(year: year, month: month)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day a moment falls on in a time zone.
    public init(_ moment: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: moment)
        year = parts.year ?? 1970
        month = parts.month ?? 1
        day = parts.day ?? 1
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// A required or optional date field: nil or empty is nil; a bad date names the field.
    public static func parse(_ text: String?, field: String) throws(DomainError) -> CalendarDay? {
        guard let text, !text.isEmpty else { return nil }
        guard let day = CalendarDay(text) else { throw DomainError.invalid(field, "\(text) is not a date YYYY-MM-DD") }
        return day
    }

    /// Days in a month.
    public static func days(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The day `months` calendar months later (the last day of the month when shorter).
    public func adding(months: Int) -> CalendarDay {
        let index = year * 12 + (month - 1) + months
        let newYear = index / 12
        let newMonth = index % 12 + 1
        let newDay = min(day, CalendarDay.days(year: newYear, month: newMonth))
        return CalendarDay(year: newYear, month: newMonth, day: newDay) ?? self
    }

    /// Whole calendar months from this day to `later` (negative when earlier).
    public func months(until later: CalendarDay) -> Int {
        var months = (later.year - year) * 12 + (later.month - month)
        if later.day < day { months -= 1 }
        return months
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
