import CadreflowRules
import Testing

@Suite("Cadre records: profile fields, yes/no, dates, retirement age")
struct CadreRecordRulesTests {
    private func profile(_ fields: [String: String]) throws(DomainError) -> CadreProfile {
        try CadreProfile(code: "CB1", fields: { fields[$0] })
    }

    @Test("A profile keeps Vietnamese text and checks each field by name")
    func profileFields() throws {
        let lan = try profile(["name": "Nguyễn Thị Lan", "unit": "P_HOANKIEM", "sex": "f", "born": "1990-02-28", "party_since": "2012-05-19", "planning": "yes", "pregnant": "yes"])
        #expect(lan.fullName == "Nguyễn Thị Lan")
        #expect(lan.level == .staff)
        #expect(lan.planning && lan.pregnant)
        #expect(lan.status == .active)
        let cases: [([String: String], String)] = [
            (["unit": "U"], "name: required"),
            (["name": "A", "unit": "U", "level": "boss"], "level: boss is not one of head, deputy, staff"),
            (["name": "A", "unit": "U", "born": "1990-13-01"], "born: 1990-13-01 is not a date YYYY-MM-DD"),
            (["name": "A", "unit": "U", "planning": "maybe"], "planning: yes or no, not maybe"),
            (["name": "A", "unit": "U", "born": "2000-01-01", "party_since": "2010-01-01"], "party_since: 2010-01-01 is before the cadre's 18th birthday"),
            (["name": "A", "unit": "U", "sex": "m", "pregnant": "yes"], "pregnant: recorded only for a woman"),
            (["name": "A", "unit": "U", "leave_from": "2025-01-01"], "status: leave dates need status=on_leave"),
            (["name": "A", "unit": "S%A"], "unit: S%A is not a code: use 1 to 64 letters, digits, _ . -"),
        ]
        for (fields, message) in cases {
            let error = #expect(throws: DomainError.self) { try profile(fields) }
            #expect(error?.description == message)
        }
    }

    @Test("Yes/no is parsed once: yes, no, empty is the default, anything else names the field")
    func yesNo() throws {
        #expect(try YesNo.parse("YES", field: "f"))
        #expect(try !YesNo.parse("no", field: "f"))
        #expect(try YesNo.parse(nil, field: "f", default: true))
        #expect(throws: DomainError.self) { try YesNo.parse("1", field: "f") }
    }

    @Test("Calendar days: parsing, month arithmetic at month ends, whole months between")
    func days() throws {
        #expect(CalendarDay("2024-02-29") != nil)
        #expect(CalendarDay("2023-02-29") == nil)
        #expect(CalendarDay("2024-2-1") == nil)
        let day = try #require(CalendarDay("2024-01-31"))
        #expect(day.adding(months: 1).description == "2024-02-29")
        #expect(day.adding(months: 13).description == "2025-02-28")
        #expect(try #require(CalendarDay("2022-05-10")).months(until: try #require(CalendarDay("2025-05-09"))) == 35)
    }

    @Test("Retirement: men 60y3m in 2021 rising 3 months a year to 62; women 55y4m rising 4 months to 60")
    func retirement() throws {
        let rules = RetirementSchedule.statutory
        #expect(rules.ageInMonths(sex: .male, year: 2020) == 720)
        #expect(rules.ageInMonths(sex: .male, year: 2021) == 723)
        #expect(rules.ageInMonths(sex: .male, year: 2026) == 738)
        #expect(rules.ageInMonths(sex: .male, year: 2028) == 744)
        #expect(rules.ageInMonths(sex: .male, year: 2040) == 744)
        #expect(rules.ageInMonths(sex: .female, year: 2021) == 664)
        #expect(rules.ageInMonths(sex: .female, year: 2035) == 720)
        // A man born 1965-01-15 reaches 61y6m (the 2026 age) on 2026-07-15.
        #expect(rules.retirementDay(born: try #require(CalendarDay("1965-01-15")), sex: .male).description == "2026-07-15")
        // A man born 1970-03-01 retires at 62 (from 2028 on): 2032-03-01.
        #expect(rules.retirementDay(born: try #require(CalendarDay("1970-03-01")), sex: .male).description == "2032-03-01")
        // A woman born 1970-06-10: the 2027 age is 57y4m, which she reaches on 2027-10-10.
        #expect(rules.retirementDay(born: try #require(CalendarDay("1970-06-10")), sex: .female).description == "2027-10-10")
        #expect(rules.monthsLeft(born: try #require(CalendarDay("1990-01-01")), sex: .male, on: try #require(CalendarDay("2026-01-01"))) == 62 * 12 - 36 * 12)
    }
}
