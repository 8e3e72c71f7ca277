import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The monthly assessment (mission.md section 1): cycles, each cadre's steps, approval
/// under the quota, and the reports. A month's cycle for a unit is a `monthly_cycle`
/// instance keyed `cycle/<YYYY-MM>/<unit>`; each cadre's assessment an `assessment`
/// instance keyed `assessment/<YYYY-MM>/<cadre>`, whose data holds the month, the
/// assessing unit (where the cadre worked at the month's end), the level, the cycle, and
/// the scores as entered with their computed totals and grades. The rules come from the
/// rule set in force for the month (``RuleSetCatalog``); the decisions are the pure ones
/// of `CadreflowRules` (``AssessmentPermission``, ``ScoreSheet``, ``QuotaCheck``,
/// ``PeriodResult``); this layer reads the facts and applies the decisions.
public struct AssessmentService: Sendable {
    let pool: PostgresPool
    let engine: WorkflowEngine
    /// The rule sets, by the first month each applies to.
    public let rules: RuleSetCatalog
    let calendar: DomainCalendar

    /// A service on the pool and the engine, judging each month by `rules`.
    public init(pool: PostgresPool, engine: WorkflowEngine, rules: RuleSetCatalog, calendar: DomainCalendar) {
        self.pool = pool
        self.engine = engine
        self.rules = rules
        self.calendar = calendar
    }

    /// The workflow names.
    static let cycleWorkflow = "monthly_cycle"
    static let assessmentWorkflow = "assessment"

    /// `cycle/2026-11/HN`.
    public static func cycleKey(_ month: AssessmentPeriod, unit: String) -> String { "cycle/\(month)/\(unit)" }
    /// `assessment/2026-11/C001`.
    public static func assessmentKey(_ month: AssessmentPeriod, cadre: String) -> String { "assessment/\(month)/\(cadre)" }

    /// The rule set and deadlines of a month.
    func schedule(_ month: AssessmentPeriod) throws(DomainError) -> (RuleSet, DeadlineSchedule) {
        let ruleSet = try rules.ruleSet(for: month)
        return (ruleSet, try DeadlineSchedule(month: month, ruleSet: ruleSet))
    }

    /// The path of a unit, checked against the requester's scope.
    static func unitPath(_ code: String, by requester: Requester, on connection: PostgresConnection) throws -> String {
        guard let path = try connection.query("SELECT path FROM units WHERE code = $1", code).scalar(String.self) else {
            throw DomainError(.notFound, "unit \(code) does not exist", field: "unit")
        }
        try requester.requireCovers(unit: code, path: path)
        return path
    }

    /// The unit a command names, or the requester's own scope unit.
    static func scopeUnit(_ named: String?, by requester: Requester) throws(DomainError) -> String {
        if let named { return try RecordCode.validate(named, field: "unit") }
        guard let own = requester.unit else { throw DomainError.invalid("unit", "required (your account has no unit of its own)") }
        return own
    }

    /// The engine actor of a requester acting in `role`.
    static func actor(_ requester: Requester, role: String) -> Actor {
        Actor(name: requester.login, role: role)
    }
}
