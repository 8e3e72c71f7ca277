/// Draws the personal details of cadres and writes their rows.
struct DemoCadres {
    let hometowns: DemoHometowns

    private static let earliestSince = DemoDate(2010, 1, 1)
    private static let lastDayBefore = DemoDate(day: DemoDate.reorganisation.day - 1)
    private static let childWindowStart = DemoDate(2022, 7, 1)
    private static let maternityLeaveStart = DemoDate(2025, 1, 1)

    /// `CB` followed by `number` zero-padded to `width` digits.
    static func code(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return "CB" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// The row of cadre `code` holding `post` in `unit`.
    func row(code: String, unit: DemoUnit, post: DemoPost, using generator: inout some RandomNumberGenerator) -> DemoImportRow {
        let maleShare: Double
        let years: ClosedRange<Int>
        let planningShare: Double
        let partyShare: Double
        switch post.level {
        case .head: (maleShare, years, planningShare, partyShare) = (0.68, 1966...1980, 0.22, 1)
        case .deputy: (maleShare, years, planningShare, partyShare) = (0.58, 1968...1987, 0.45, 1)
        case .staff: (maleShare, years, planningShare, partyShare) = (0.495, 1966...2001, 0.165, 0.89)
        }
        let sex = post.sex ?? (generator.chance(maleShare) ? .male : .female)
        let range = post.bornYears ?? years
        // Women retire younger (56 years 8 months in 2025): none born before 1969 is still serving.
        let bornYears = sex == .female ? max(range.lowerBound, min(1969, range.upperBound))...range.upperBound : range
        let born = DemoDate.random(DemoDate(bornYears.lowerBound, 1, 1), DemoDate(bornYears.upperBound, 12, 31),
                                   using: &generator)
        let age = born.age(on: DemoDate.reorganisation)
        let namedPost = post.level != .staff || post.sex != nil || post.bornYears != nil

        var row = DemoImportRow()
        row.type = "cadre"
        row.code = code
        row.name = VietnameseNames.fullName(for: sex, using: &generator)
        row.unit = unit.code
        row.position = post.title
        row.level = post.level.rawValue
        row.hometown = hometown(for: unit, using: &generator)
        row.born = born.iso
        row.sex = sex.rawValue

        if namedPost || generator.chance(partyShare) {
            let (youngest, oldest) = post.level == .staff ? (19, 34) : (20, 30)
            let joinAge = generator.between(youngest, max(youngest, min(oldest, age - 1)))
            let lower = born.adding(years: max(18, joinAge))
            let upper = min(born.adding(years: joinAge + 1), Self.lastDayBefore)
            if lower <= upper { row.partySince = DemoDate.random(lower, upper, using: &generator).iso }
        }
        row.planning = generator.chance(age < 55 ? planningShare : planningShare / 4) ? "yes" : "no"

        var pregnant = false
        if sex == .female {
            pregnant = age < 45 && generator.chance(0.01)
            row.pregnant = pregnant ? "yes" : "no"
        }
        var onLeave = generator.chance(0.017)
        if age < 40, generator.chance(0.06) {
            let latest = pregnant ? DemoDate(2024, 6, 30) : Self.lastDayBefore
            let child = DemoDate.random(Self.childWindowStart, latest, using: &generator)
            row.childBorn = child.iso
            if sex == .female, child >= Self.maternityLeaveStart { onLeave = true }
        }
        row.status = onLeave ? "on_leave" : "active"

        let earliest = max(Self.earliestSince, born.adding(years: post.level == .staff ? 22 : 32))
        row.since = DemoDate.random(min(earliest, Self.lastDayBefore), Self.lastDayBefore, using: &generator).iso
        return row
    }

    private func hometown(for unit: DemoUnit, using generator: inout some RandomNumberGenerator) -> String {
        switch (unit.group, unit.districtIndex) {
        case (.commune?, let district?):
            return hometowns.forCommune(unit.code, district: district, using: &generator)
        case (.district?, let district?):
            return hometowns.forDistrict(district, using: &generator)
        default:
            return hometowns.forCity(using: &generator)
        }
    }
}
