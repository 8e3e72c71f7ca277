/// A period that is assessed or reported: a month (`2026-03`), a quarter (`2026-Q1`) or a
/// year (`2026`). Months are what cadres are scored in; quarters and years are results
/// computed from them (``PeriodResult``).
public struct AssessmentPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// What the period spans.
    public enum Kind: String, Sendable, CaseIterable {
        case month, quarter, year
    }

    /// What the period spans.
    public let kind: Kind
    /// The calendar year.
    public let year: Int
    /// The month 1…12, the quarter 1…4, or 0 for a year.
    public let number: Int

    private init(kind: Kind, year: Int, number: Int) {
        self.kind = kind
        self.year = year
        self.number = number
    }

    /// A month, or nil when it does not exist.
    public init?(year: Int, month: Int) {
        guard Self.years.contains(year), (1...12).contains(month) else { return nil }
        self.init(kind: .month, year: year, number: month)
    }

    /// A quarter, or nil when it does not exist.
    public init?(year: Int, quarter: Int) {
        guard Self.years.contains(year), (1...4).contains(quarter) else { return nil }
        self.init(kind: .quarter, year: year, number: quarter)
    }

    /// A year, or nil outside 1000…9999.
    public init?(year: Int) {
        guard Self.years.contains(year) else { return nil }
        self.init(kind: .year, year: year, number: 0)
    }

    /// The years a period may name (four digits).
    public static let years = 1000...9999

    /// Parses `YYYY-MM`, `YYYY-Qn` or `YYYY`; a wrong text names the field.
    public static func parse(_ text: String?, field: String = "period") throws(DomainError) -> AssessmentPeriod {
        guard let text = text?.trimmingSpaces, !text.isEmpty else { throw DomainError.invalid(field, "required") }
        guard let period = AssessmentPeriod(text) else {
            throw DomainError.invalid(field, "\(text) is not a period YYYY-MM, YYYY-Qn or YYYY")
        }
        return period
    }

    /// Parses `YYYY-MM` only; a quarter, a year or a wrong text names the field.
    public static func parseMonth(_ text: String?, field: String = "month") throws(DomainError) -> AssessmentPeriod {
        guard let text = text?.trimmingSpaces, !text.isEmpty else { throw DomainError.invalid(field, "required") }
        guard let period = AssessmentPeriod(text), period.kind == .month else {
            throw DomainError.invalid(field, "\(text) is not a month YYYY-MM")
        }
        return period
    }

    /// The period a text names, or nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count == 4, parts[0].allSatisfy(\.isASCIIDigit),
              let year = Int(parts[0]) else { return nil }
        guard parts.count == 2 else {
            self.init(year: year)
            return
        }
        let rest = parts[1]
        if rest.count == 2, rest.allSatisfy(\.isASCIIDigit), let month = Int(rest) {
            self.init(year: year, month: month)
        } else if rest.count == 2, rest.first == "Q" || rest.first == "q", let last = rest.last, last.isASCIIDigit,
                  let quarter = Int(String(last)) {
            self.init(year: year, quarter: quarter)
        } else {
            return nil
        }
    }

    /// The months the period covers, in order (a month covers itself).
    public var months: [AssessmentPeriod] {
        (firstMonth.number...lastMonth.number).compactMap { AssessmentPeriod(year: year, month: $0) }
    }

    /// The first month of the period.
    public var firstMonth: AssessmentPeriod {
        switch kind {
        case .month: return self
        case .quarter: return AssessmentPeriod(kind: .month, year: year, number: number * 3 - 2)
        case .year: return AssessmentPeriod(kind: .month, year: year, number: 1)
        }
    }

    /// The last month of the period.
    public var lastMonth: AssessmentPeriod {
        switch kind {
        case .month: return self
        case .quarter: return AssessmentPeriod(kind: .month, year: year, number: number * 3)
        case .year: return AssessmentPeriod(kind: .month, year: year, number: 12)
        }
    }

    /// The quarter a month falls in (a quarter is its own; a year has none).
    public var quarter: AssessmentPeriod? {
        switch kind {
        case .month: return AssessmentPeriod(kind: .quarter, year: year, number: (number - 1) / 3 + 1)
        case .quarter: return self
        case .year: return nil
        }
    }

    /// The month before this period's first month (December of the year before for January).
    public var previousMonth: AssessmentPeriod {
        let first = firstMonth
        return first.number == 1
            ? AssessmentPeriod(kind: .month, year: year - 1, number: 12)
            : AssessmentPeriod(kind: .month, year: year, number: first.number - 1)
    }

    /// The calendar year as a period.
    public var wholeYear: AssessmentPeriod { AssessmentPeriod(kind: .year, year: year, number: 0) }

    /// True when every month of `other` lies in this period.
    public func contains(_ other: AssessmentPeriod) -> Bool {
        firstMonth.monthIndex <= other.firstMonth.monthIndex && other.lastMonth.monthIndex <= lastMonth.monthIndex
    }

    /// Months counted from year 0 (for ordering); for a quarter or a year, its first month's.
    var monthIndex: Int { year * 12 + (firstMonth.number - 1) }

    /// Ordered by first month, then the shorter first (2026-01 < 2026-Q1 < 2026).
    public static func < (lhs: AssessmentPeriod, rhs: AssessmentPeriod) -> Bool {
        (lhs.monthIndex, lhs.span) < (rhs.monthIndex, rhs.span)
    }

    private var span: Int {
        switch kind {
        case .month: return 1
        case .quarter: return 3
        case .year: return 12
        }
    }

    /// `2026-03`, `2026-Q1`, `2026`.
    public var description: String {
        switch kind {
        case .month: return "\(year)-\(number < 10 ? "0" : "")\(number)"
        case .quarter: return "\(year)-Q\(number)"
        case .year: return "\(year)"
        }
    }
}

extension Character {
    /// `0`…`9` only (not other scripts' digits).
    var isASCIIDigit: Bool { isASCII && isNumber }
}
