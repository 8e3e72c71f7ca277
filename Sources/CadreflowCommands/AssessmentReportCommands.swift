import CadreflowDomain
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// REPORT PROGRESS, REPORT GRADES, REPORT YEAR, RULES LIST and RULES SHOW: the monthly
/// assessment's reports and its rule sets.
struct AssessmentReportCommands {
    let assessments: AssessmentService

    var all: [CommandSpec] { [progress, grades, year, yearApprove, rulesList, rulesShow] }

    private var progress: CommandSpec {
        CommandSpec(
            name: "REPORT PROGRESS", usage: "REPORT PROGRESS <YYYY-MM> [unit=<unit>] [list=late]",
            summary: "a month's progress per unit, and who is due soon, late or seriously late at each deadline",
            roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit", "list"])
            let month = try request.month(at: 2)
            let listLate: Bool
            switch request.option("list") {
            case nil: listLate = false
            case "late": listLate = true
            case let other?: throw DomainError.invalid("list", "\(other) is not late")
            }
            let report = try await assessments.progress(month: month, unit: request.option("unit"), late: listLate, by: requester)
            if listLate {
                return .table(DataTable(columns: AssessmentRows.lateColumns, rows: report.late.map(AssessmentRows.late)), text: "\(report.late.count) late or due soon in \(month)")
            }
            let total = report.units.reduce(0) { $0 + $1.total }
            let approved = report.units.reduce(0) { $0 + ($1.counts["approved"] ?? 0) }
            let waiting = report.units.reduce(0) { $0 + $1.escalations.values.reduce(0, +) }
            return .table(
                DataTable(columns: AssessmentRows.progressColumns, rows: report.units.map(AssessmentRows.progress)),
                text: "\(month): \(approved) of \(total) approved; \(waiting) late or due soon"
            )
        }
    }

    private var grades: CommandSpec {
        CommandSpec(
            name: "REPORT GRADES", usage: "REPORT GRADES <YYYY-MM|YYYY-Qn|YYYY> [unit=<unit>] [locale=vi] [rollup=successor]",
            summary: "grades per unit for a month, a quarter or a year, with counts and shares",
            roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit", "locale", "rollup"])
            let period = try AssessmentPeriod.parse(try request.word(2, "period"))
            let locale = try ReportNumbers.locale(request.option("locale"))
            let rollup: Bool
            switch request.option("rollup") {
            case nil, "assessing": rollup = false
            case "successor": rollup = true
            case let other?: throw DomainError.invalid("rollup", "\(other) is not successor or assessing")
            }
            let units = try await assessments.grades(period: period, unit: request.option("unit"), rollup: rollup, by: requester)
            let ruleSet = try assessments.rules.ruleSet(for: period.lastMonth)
            let total = units.reduce(GradeDistribution(total: 0, counts: [:])) { $0 + $1.distribution }
            let name = locale == .vi ? "Tổng cộng" : "all units"
            let rows = units.map { GradeReport.row($0.unit, $0.name, $0.distribution, period: period, ruleSet: ruleSet, locale) }
                + [GradeReport.row("(total)", name, total, period: period, ruleSet: nil, locale)]
            return .table(DataTable(columns: GradeReport.columns, rows: rows), text: GradeReport.sentence(period, total, locale))
        }
    }

    private var year: CommandSpec {
        CommandSpec(
            name: "REPORT YEAR", usage: "REPORT YEAR <YYYY|YYYY-Qn> [unit=<unit>]",
            summary: "each cadre's result: the mean of the approved months worked, discipline, grade",
            roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let period = try AssessmentPeriod.parse(try request.word(2, "year"))
            let results = try await assessments.results(period: period, unit: request.option("unit"), by: requester)
            return .table(DataTable(
                columns: ["cadre", "name", "unit", "months_counted", "months_exempt", "score", "grade", "disciplined"],
                rows: results.map { entry in
                    [entry.cadre, entry.name, entry.unit, String(entry.result.monthsCounted), String(entry.result.monthsExempt),
                     entry.result.score?.description ?? "", entry.result.grade?.rawValue ?? "", YesNo.text(entry.result.disciplined)]
                }
            ), text: "\(period): \(results.count) cadres")
        }
    }

    private var yearApprove: CommandSpec {
        CommandSpec(
            name: "YEAR APPROVE", usage: "YEAR APPROVE <YYYY|YYYY-Qn> unit=<unit>",
            summary: "the head of the unit approves its year (or graded quarter) results; over the quota nothing is approved", roles: [.manager]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let period = try AssessmentPeriod.parse(try request.word(2, "period"))
            let unit = request.option("unit")
            return .inTransaction { connection in
                .ok(try assessments.approvePeriod(period, unit: unit, by: requester, on: connection))
            }
        }
    }

    private var rulesList: CommandSpec {
        CommandSpec(name: "RULES LIST", usage: "RULES LIST", summary: "the assessment rule sets, each with the first month it applies to", roles: Set(Role.allCases)) {
            (request: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            try request.allowOnly([])
            let sets = assessments.rules.ruleSets
            return .table(DataTable(
                columns: ["rule_set", "from", "until", "grading", "quota", "year", "source"],
                rows: sets.enumerated().map { index, set in
                    let until = index + 1 < sets.count ? sets[index + 1].from.previousMonth.description : ""
                    return [set.name, set.from.description, until, set.grading.periods.rawValue,
                            "\(set.quota.grade.rawValue) ≤ \(set.quota.share) of \(set.quota.of) per \(set.quota.group.rawValue)",
                            "\(set.year.score.rawValue); \(set.year.quota.grade.rawValue) ≤ \(set.year.quota.share) of \(set.year.quota.of)", set.source]
                }
            ))
        }
    }

    private var rulesShow: CommandSpec {
        CommandSpec(name: "RULES SHOW", usage: "RULES SHOW <rule-set|YYYY-MM>", summary: "one rule set: parts, bands, quotas, deadlines (by name, or the one in force for a month)", roles: Set(Role.allCases)) {
            (request: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            try request.allowOnly([])
            let asked = try request.word(2, "rule-set")
            let set: RuleSet
            if let named = assessments.rules.ruleSet(named: asked) {
                set = named
            } else if let period = AssessmentPeriod(asked) {
                set = try assessments.rules.ruleSet(for: period)
            } else {
                throw DomainError(.notFound, "no rule set \(asked) (RULES LIST shows them)", field: "rule-set")
            }
            var rows: [[String]] = [["name", set.name], ["from", set.from.description], ["source", set.source]]
            if let summary = set.summary { rows.append(["description", summary]) }
            rows += set.scores.parts.map { ["part \($0.key)", "\($0.min)–\($0.max)\($0.required ? "" : " (optional)"): \($0.name)"] }
            rows.append(["decimals", String(set.scores.decimals)])
            rows += set.grades.bands.map { band in ["grade \(band.grade.rawValue)", "≥ \(band.min)\(band.below.map { ", < \($0)" } ?? "")"] }
            rows.append(["grading", set.grading.periods.rawValue + (set.grading.lastQuarterInYear ? " (Q4 folded into the year)" : "")])
            rows.append(["quota", "\(set.quota.grade.rawValue) ≤ \(set.quota.share)\(set.quota.outstandingShare.map { " (\($0) outstanding)" } ?? "") of \(set.quota.of) per \(set.quota.group.rawValue), \(set.quota.rounding.rawValue)"])
            rows.append(["year", "\(set.year.score.rawValue); disciplined → \(set.year.disciplinedGrade.rawValue); \(set.year.quota.grade.rawValue) ≤ \(set.year.quota.share) of \(set.year.quota.of) per \(set.year.quota.group.rawValue)"])
            rows.append(["deadlines", "self day \(set.deadlines.selfAssessment), review day \(set.deadlines.review), approval day \(set.deadlines.approval), close day \(set.deadlines.close) of the month after"])
            rows.append(["escalation", "due soon \(set.escalation.dueSoonDays) day(s) before; late \(set.escalation.lateAfterDays) after; seriously late \(set.escalation.seriouslyLateAfterDays) after"])
            return .table(DataTable(columns: ["key", "value"], rows: rows))
        }
    }
}
