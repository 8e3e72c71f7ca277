import CadreflowDemo
import Testing

@Suite("Demo months")
struct DemoMonthPlanTests {
    let cadres = (0..<400).map { "C\($0)" }

    @Test("The same seed gives the same month; every part lies in its range and the total in 40–98")
    func seeded() {
        let first = DemoMonthPlan.outcomes(cadres: cadres, month: "2026-05", seed: 7)
        #expect(first == DemoMonthPlan.outcomes(cadres: cadres, month: "2026-05", seed: 7))
        #expect(first != DemoMonthPlan.outcomes(cadres: cadres, month: "2026-06", seed: 7))
        for outcome in first {
            guard case .approved(let discipline, let duties, let bonus, _) = outcome else { continue }
            #expect((0...20).contains(discipline) && (0...70).contains(duties) && (0...10).contains(bonus), "\(outcome)")
            #expect((40...98).contains(discipline + duties + bonus), "\(outcome)")
        }
    }

    @Test("Believable shares, and As within 30% of those approved")
    func shares() {
        let outcomes = DemoMonthPlan.outcomes(cadres: cadres, month: "2026-05", seed: 1)
        let totals = outcomes.compactMap { outcome -> Int? in
            if case .approved(let discipline, let duties, let bonus, _) = outcome { return discipline + duties + bonus }
            return nil
        }
        let excellent = totals.filter { $0 >= 90 }.count
        #expect(excellent <= totals.count * 30 / 100)
        #expect(excellent >= totals.count / 20)
        #expect(totals.count >= cadres.count * 85 / 100)
        #expect(outcomes.contains(.exempt) && outcomes.contains(.late))
    }
}
