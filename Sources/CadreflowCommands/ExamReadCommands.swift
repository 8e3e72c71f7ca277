import CadreflowDomain
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// EXAM SHOW, EXAM LIST and REPORT EXAMS: what organizers and viewers read about exams.
struct ExamReadCommands {
    let exams: ExamService

    var all: [CommandSpec] { [show, list, report] }

    private var show: CommandSpec {
        CommandSpec(
            name: "EXAM SHOW", usage: "EXAM SHOW <exam>", summary: "the exam and a row per candidate: checks, eligible, written, defense, total, rank, passed",
            roles: [.organizer, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly([])
            let (exam, candidates) = try await exams.show(try request.word(2, "exam"), by: requester)
            let rows = candidates.map { [$0.cadre, $0.name, $0.checks, $0.eligible, $0.sitting, $0.written, $0.defense, $0.total, $0.rank, $0.passed] }
            return .table(
                DataTable(columns: ["cadre", "name", "checks", "eligible", "sitting", "written", "defense", "total", "rank", "passed"], rows: rows),
                text: Self.sentence(exam)
            )
        }
    }

    /// `E1 defense: deputy post "Phó Giám đốc Sở" of SNV; 3 candidates, 3 eligible; written 50% + defense 50%, pass mark 50`.
    static func sentence(_ exam: ExamSummary) -> String {
        let terms = exam.terms
        var text = "\(exam.code) \(exam.state): \(terms.level.rawValue) post \"\(terms.post)\" of \(terms.unit); \(exam.candidates) candidates, \(exam.eligible) eligible "
            + "(at least \(terms.minCandidates)); written \(terms.writtenWeightPercent)% + defense \(100 - terms.writtenWeightPercent)%, pass mark \(terms.passMark)"
        if let deadline = exam.deadline { text += "; registration until \(deadline)" }
        if let appointed = exam.appointed { text += "; appointed \(appointed)" }
        return text
    }

    private var list: CommandSpec {
        CommandSpec(
            name: "EXAM LIST", usage: "EXAM LIST [unit=<unit>] [state=<state>]", summary: "the exams of a unit subtree (default your scope), by code",
            roles: [.organizer, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit", "state"])
            let found = try await exams.list(unit: request.option("unit"), state: request.option("state"), by: requester)
            return .table(DataTable(
                columns: ["exam", "state", "post", "unit", "level", "deadline", "candidates", "eligible", "appointed"],
                rows: found.map { [$0.code, $0.state, $0.terms.post, $0.terms.unit, $0.terms.level.rawValue, $0.deadline ?? "", String($0.candidates), String($0.eligible), $0.appointed ?? ""] }
            ))
        }
    }

    private var report: CommandSpec {
        CommandSpec(
            name: "REPORT EXAMS", usage: "REPORT EXAMS [unit=<unit>] [locale=vi]",
            summary: "posts with exams completed / in progress / not yet held, and pass rates, per child unit", roles: [.organizer, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit", "locale"])
            let locale = try ReportNumbers.locale(request.option("locale"))
            let (unit, lines) = try await exams.report(unit: request.option("unit"), by: requester)
            var total = ExamProgressLine(unit: "(total)", name: locale == .vi ? "Tổng cộng" : "all units")
            for line in lines { total.add(line) }
            return .table(
                DataTable(columns: ExamReport.columns, rows: lines.map { ExamReport.row($0, locale) } + [ExamReport.row(total, locale)]),
                text: ExamReport.sentence(unit, total, locale)
            )
        }
    }
}

/// REPORT EXAMS rows and its summary in the shape of the board's "170/289 posts completed,
/// 20 in progress".
enum ExamReport {
    static let columns = [
        "unit", "name", "posts", "completed", "in_progress", "not_yet_held", "cancelled", "sat", "passed_written", "passed_written_share", "passed", "passed_share",
    ]

    static func row(_ line: ExamProgressLine, _ locale: ReportNumbers.Locale) -> [String] {
        func count(_ value: Int) -> String { ReportNumbers.count(value, locale) }
        return [line.unit, line.name, count(line.posts), count(line.completed), count(line.inProgress), count(line.notYetHeld), count(line.cancelled),
                count(line.sat), count(line.passedWritten), ReportNumbers.percent(tenths: ReportNumbers.share(line.passedWritten, of: line.sat, per: 10), locale),
                count(line.passed), ReportNumbers.percent(tenths: ReportNumbers.share(line.passed, of: line.sat, per: 10), locale)]
    }

    static func sentence(_ unit: String, _ line: ExamProgressLine, _ locale: ReportNumbers.Locale) -> String {
        func count(_ value: Int) -> String { ReportNumbers.count(value, locale) }
        let passed = ReportNumbers.percent(tenths: ReportNumbers.share(line.passed, of: line.sat, per: 10), locale)
        switch locale {
        case .en:
            return "\(unit): \(count(line.completed))/\(count(line.posts)) posts completed, \(count(line.inProgress)) in progress, \(count(line.notYetHeld)) not yet held; "
                + "\(count(line.sat)) candidates sat, \(count(line.passed)) passed both rounds\(passed.isEmpty ? "" : " (\(passed))")"
        case .vi:
            return "\(unit): \(count(line.completed))/\(count(line.posts)) chức danh đã hoàn thành thi tuyển, \(count(line.inProgress)) đang tổ chức, \(count(line.notYetHeld)) chưa tổ chức; "
                + "\(count(line.sat)) thí sinh dự thi, \(count(line.passed)) đạt cả hai vòng\(passed.isEmpty ? "" : " (\(passed))")"
        }
    }
}
