import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

extension AssessmentService {
    /// Approves a unit's results for a graded quarter or a year (`YEAR APPROVE`), on the
    /// caller's transaction: the head of the unit only; the results are those of
    /// ``results(period:unit:by:)`` that belong to the unit; the period's quota is checked
    /// per quota group (the year: A ≤ the share of those graded B; a quarter: of those
    /// graded) and over it nothing is stored; approved results are frozen in
    /// `period_results`, and approving again changes nothing and says so.
    public func approvePeriod(_ period: AssessmentPeriod, unit named: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        guard period.kind != .month else { throw DomainError.invalid("period", "\(period) is a month: ASSESS APPROVE approves months") }
        let ruleSet = try rules.ruleSet(for: period.lastMonth)
        guard ruleSet.isGraded(period) else {
            throw DomainError.invalid("period", "\(period) is not graded under \(ruleSet.name) (\(ruleSet.grading.periods.rawValue) grading)")
        }
        let unit = try Self.scopeUnit(named, by: requester)
        let path = try Self.unitPath(unit, by: requester, on: connection)
        try AssessmentPermission.requireApprover(unit: unit, unitPath: path, by: requester)
        try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", "period-approval/\(period)/\(unit)")
        let already = try connection.query("SELECT count(*) FROM period_results WHERE period = $1 AND unit_code = $2", period.description, unit).scalar(Int.self) ?? 0
        if already > 0 { return "\(period) results of unit \(unit) were approved already (\(already) cadres); nothing changed" }
        let results = try Self.results(period: period, path: path, exactUnit: unit, rules: rules, on: connection).filter { $0.result.grade != nil }
        guard !results.isEmpty else { throw DomainError(.conflict, "no cadre of unit \(unit) has a result for \(period) (no approved month)") }
        let groups: [String: [CadreResult]] = ruleSet.year.quota.group == .unitLevel && period.kind == .year || ruleSet.quota.group == .unitLevel && period.kind == .quarter
            ? Dictionary(grouping: results, by: { "unit \(unit), level \($0.level)" })
            : ["unit \(unit)": results]
        var checks: [(String, QuotaCheck)] = []
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) {
            let counts = Dictionary(grouping: members.compactMap(\.result.grade), by: { $0 }).mapValues(\.count)
            let proposed = counts[.A] ?? 0
            let check = period.kind == .year
                ? QuotaCheck.year(graded: members.count, gradeCounts: counts, current: 0, proposed: proposed, ruleSet: ruleSet)
                : QuotaCheck.period(graded: members.count, current: 0, proposed: proposed, outstanding: false, ruleSet: ruleSet)
            checks.append((group, check))
        }
        if let (group, over) = checks.first(where: { !$0.1.allowed }) {
            throw DomainError(.quota, "\(group), \(period): \(over.message); nothing approved", field: over.field)
        }
        for entry in results {
            try connection.query(
                """
                INSERT INTO period_results (period, cadre_code, unit_code, level, score, grade, disciplined, months_counted, months_exempt, rule_set, approved_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """,
                period.description, entry.cadre, unit, entry.level, entry.result.score?.description, entry.result.grade?.rawValue, entry.result.disciplined,
                entry.result.monthsCounted, entry.result.monthsExempt, ruleSet.name, requester.login
            )
        }
        return "approved \(period) results of \(results.count) cadres in unit \(unit) (\(checks.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")))"
    }
}
