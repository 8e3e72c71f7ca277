import CadreflowRules
import Testing

@Suite("Unit scope: the subtree rule, literal codes")
struct UnitScopeTests {
    @Test("A scope covers its unit and what lies below, nothing beside it")
    func subtree() {
        let scope = UnitScope(path: "HN/S_A")
        #expect(scope.covers("HN/S_A"))
        #expect(scope.covers("HN/S_A/X.1"))
        #expect(!scope.covers("HN/SXA"))
        #expect(!scope.covers("HN/S_AB"))
        #expect(!scope.covers("HN"))
        #expect(UnitScope.everything.covers("anything/at/all"))
    }

    @Test("Codes with _, % and backslash are characters, never wildcards")
    func wildcards() {
        for code in ["S_A", "S%A", "S\\A", "%", "_"] {
            let scope = UnitScope(path: "HN/" + code)
            #expect(scope.covers("HN/" + code + "/CHILD"))
            #expect(!scope.covers("HN/SXA"))
            #expect(!scope.covers("HN/S" + "A"))
        }
    }

    @Test("The SQL form compares literally (starts_with, no LIKE)")
    func sql() {
        let condition = UnitScope.sqlCondition(path: "u.path", scope: "$1")
        #expect(condition.contains("starts_with(u.path, $1::text || '/')"))
        #expect(!condition.uppercased().contains("LIKE"))
    }

    @Test("Codes: letters, digits, _ . - up to 64")
    func codes() throws {
        #expect(RecordCode.isValid("P_HOANKIEM"))
        #expect(RecordCode.isValid("HOANKIEM.HANGBAC"))
        #expect(!RecordCode.isValid("S%A"))
        #expect(!RecordCode.isValid("a/b"))
        #expect(!RecordCode.isValid("Đ"))
        #expect(!RecordCode.isValid(String(repeating: "x", count: 65)))
        let error = #expect(throws: DomainError.self) { try RecordCode.validate("x y", field: "unit") }
        #expect(error?.description.hasPrefix("unit: ") == true)
    }

    @Test("A requester bound to a cadre acts as the cadre actor on that cadre alone")
    func cadreActor() {
        let requester = Requester(login: "lan", role: .viewer, scope: UnitScope(path: "HN"), cadre: "CB1")
        #expect(requester.workflowRole(on: "CB1") == "cadre")
        #expect(requester.workflowRole(on: "CB2") == "viewer")
        #expect(Role.workflowVocabulary == ["admin", "organizer", "manager", "viewer", "cadre", "system"])
    }
}
