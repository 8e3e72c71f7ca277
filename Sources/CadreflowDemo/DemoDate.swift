/// A calendar date as a day number (days since 1970-01-01, proleptic Gregorian), so that
/// the generator needs no `Calendar`, time zone or locale.
struct DemoDate: Comparable, Sendable {
    /// Days since 1970-01-01.
    let day: Int

    init(day: Int) {
        self.day = day
    }

    /// The date `year-month-day` (H. Hinnant's days-from-civil).
    init(_ year: Int, _ month: Int, _ day: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        self.day = era * 146_097 + dayOfEra - 719_468
    }

    /// Year, month and day (H. Hinnant's civil-from-days).
    var components: (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The same month and day `years` later (29 February becomes 28 February).
    func adding(years: Int) -> DemoDate {
        let (y, m, d) = components
        return DemoDate(y + years, m, m == 2 && d == 29 ? 28 : d)
    }

    /// Whole years from `self` to `other`.
    func age(on other: DemoDate) -> Int {
        let a = components
        let b = other.components
        var years = b.year - a.year
        if (b.month, b.day) < (a.month, a.day) { years -= 1 }
        return years
    }

    /// `YYYY-MM-DD`.
    var iso: String {
        let (y, m, d) = components
        var text = String(y)
        text.append(m < 10 ? "-0" : "-")
        text.append(String(m))
        text.append(d < 10 ? "-0" : "-")
        text.append(String(d))
        return text
    }

    static func < (lhs: DemoDate, rhs: DemoDate) -> Bool { lhs.day < rhs.day }

    /// A uniform date in `lower...upper` (`lower` when the range is empty).
    static func random(_ lower: DemoDate, _ upper: DemoDate, using generator: inout some RandomNumberGenerator) -> DemoDate {
        DemoDate(day: generator.between(lower.day, upper.day))
    }

    /// 1 July 2025, the day the new units began.
    static let reorganisation = DemoDate(2025, 7, 1)
}
