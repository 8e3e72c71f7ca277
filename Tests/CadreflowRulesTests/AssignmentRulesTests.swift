import CadreflowRules
import Testing

@Suite("Assignment rules: proposals, kinds and their limits")
struct AssignmentRulesTests {
    private func day(_ text: String) -> CalendarDay { CalendarDay(text) ?? CalendarDay(year: 2000, month: 1, day: 1)! }

    private func facts(planning: Bool = true, born: String? = "1985-01-01", sex: Sex = .male, pregnant: Bool = false, child: String? = nil) -> AssignmentCheck.Facts {
        AssignmentCheck.Facts(fromUnit: "P1", planning: planning, born: born.map(day), sex: sex, pregnant: pregnant, childBorn: child.map(day), status: .active)
    }

    private func violation(_ kind: AssignmentKind, months: Int?, _ facts: AssignmentCheck.Facts, to: String = "P2", start: String = "2026-04-01") -> String? {
        AssignmentCheck.violation(kind: kind, toUnit: to, start: day(start), months: months, facts: facts, policy: .standard, retirement: .statutory)?.description
    }

    @Test("A proposal: the kind's length rule, the receiving unit, the end date")
    func proposals() throws {
        let rotation = try AssignmentProposal.parse(cadre: "C1", options: ["kind": "Rotation", "to": "P2", "start": "2026-01-31", "months": "36"])
        #expect(rotation.kind == .rotation)
        #expect(rotation.end == day("2029-01-31"))
        let transfer = try AssignmentProposal.parse(cadre: "C1", options: ["kind": "transfer", "to": "P2", "start": "2026-01-31"])
        #expect(transfer.end == nil)
        for (options, field) in [
            (["to": "P2", "start": "2026-01-01"], "kind"), (["kind": "transfer", "start": "2026-01-01"], "to"), (["kind": "transfer", "to": "P2"], "start"),
            (["kind": "secondment", "to": "P2", "start": "2026-01-01"], "months"), (["kind": "secondment", "to": "P2", "start": "2026-01-01", "months": "0"], "months"),
            (["kind": "transfer", "to": "P2", "start": "2026-02-30"], "start"), (["kind": "transfer", "to": "P_2%", "start": "2026-01-01"], "to"),
        ] {
            #expect((#expect(throws: DomainError.self) { try AssignmentProposal.parse(cadre: "C1", options: options) })?.field == field, "\(options)")
        }
    }

    @Test("Rotation: 36 months at least, the planning pool, ten years before retirement at the start")
    func rotation() {
        #expect(violation(.rotation, months: 36, facts()) == nil)
        #expect(violation(.rotation, months: 35, facts()) == "months: a rotation lasts at least 36 months, not 35")
        #expect(violation(.rotation, months: 36, facts(planning: false)) == "cadre: planning: a rotation is only for a cadre in the planning pool")
        // A man born 1966-04-01 retires at 62 (2028-04-01): 24 months left.
        #expect(violation(.rotation, months: 36, facts(born: "1966-04-01"))?.hasPrefix("cadre: age: 24 months before the retirement age on 2026-04-01") == true)
        #expect(violation(.rotation, months: 36, facts(born: nil))?.hasPrefix("cadre: born:") == true)
    }

    @Test("Secondment: 36 months at most; never for a woman pregnant or nursing a child under 36 months at the start")
    func secondment() {
        #expect(violation(.secondment, months: 36, facts()) == nil)
        #expect(violation(.secondment, months: 37, facts()) == "months: a secondment lasts at most 36 months, not 37")
        #expect(violation(.secondment, months: 12, facts(sex: .female, pregnant: true)) == "cadre: pregnant: no secondment for a woman who is pregnant")
        #expect(violation(.secondment, months: 12, facts(sex: .female, child: "2023-04-02"))?.hasPrefix("cadre: child_born:") == true)
        #expect(violation(.secondment, months: 12, facts(sex: .female, child: "2023-04-01")) == nil)
        #expect(violation(.secondment, months: 12, facts(sex: .male, child: "2025-01-01")) == nil)
    }

    @Test("Every kind: the receiving unit differs from the sending one")
    func sameUnit() {
        for kind in AssignmentKind.allCases {
            #expect(violation(kind, months: kind == .transfer ? nil : 36, facts(), to: "P1")?.hasPrefix("to: P1 is the cadre's own unit") == true)
        }
        #expect(violation(.transfer, months: nil, facts()) == nil)
        #expect(violation(.positionChange, months: 60, facts(planning: false)) == nil)
    }
}
