/// The statutory retirement age by sex and year, as a schedule: a starting age in a base
/// year rising by a step each year to a cap (Bộ luật Lao động 2019, NĐ 135/2020: men 60
/// years 3 months in 2021 rising 3 months a year to 62; women 55 years 4 months rising 4
/// months a year to 60). Every number is configuration; these are the defaults.
public struct RetirementSchedule: Sendable, Equatable {
    /// One sex's line of the schedule, in months of age.
    public struct Line: Sendable, Equatable {
        /// The age before the base year.
        public var before: Int
        /// The age in the base year.
        public var start: Int
        /// Added each year after the base year.
        public var stepPerYear: Int
        /// The final age.
        public var cap: Int

        /// A line from months of age.
        public init(before: Int, start: Int, stepPerYear: Int, cap: Int) {
            self.before = before
            self.start = start
            self.stepPerYear = stepPerYear
            self.cap = cap
        }
    }

    /// The year the rising schedule starts.
    public var baseYear: Int
    /// Men's ages.
    public var male: Line
    /// Women's ages.
    public var female: Line

    /// A schedule from its parts.
    public init(baseYear: Int, male: Line, female: Line) {
        self.baseYear = baseYear
        self.male = male
        self.female = female
    }

    /// The schedule in force since 2021.
    public static let statutory = RetirementSchedule(
        baseYear: 2021,
        male: Line(before: 60 * 12, start: 60 * 12 + 3, stepPerYear: 3, cap: 62 * 12),
        female: Line(before: 55 * 12, start: 55 * 12 + 4, stepPerYear: 4, cap: 60 * 12)
    )

    /// The retirement age in months for someone of `sex` reaching it in `year`.
    public func ageInMonths(sex: Sex, year: Int) -> Int {
        let line = sex == .male ? male : female
        guard year >= baseYear else { return line.before }
        return min(line.cap, line.start + line.stepPerYear * (year - baseYear))
    }

    /// The day a person born on `born` reaches the retirement age: the first year whose
    /// age they have reached by then.
    public func retirementDay(born: CalendarDay, sex: Sex) -> CalendarDay {
        var year = born.year + (sex == .male ? male.before : female.before) / 12 - 1
        while true {
            let day = born.adding(months: ageInMonths(sex: sex, year: year))
            if day.year <= year { return day }
            year += 1
        }
    }

    /// Whole months from `day` until retirement (negative once retired).
    public func monthsLeft(born: CalendarDay, sex: Sex, on day: CalendarDay) -> Int {
        day.months(until: retirementDay(born: born, sex: sex))
    }
}
