import CadreflowDefinitions
import CadreflowDemo
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation
import Logging

/// Fills the demo city with assessment months through the domain's services, as people
/// would: each month is opened for every root unit, each cadre's month goes as
/// ``DemoMonthPlan`` draws it (most self-assessed, reviewed and approved; some returned
/// and resubmitted, some exempt, some late, some unreviewed), each unit's head approves
/// the unit at once under the quota; a few cadres are disciplined; then the months'
/// deadline timers fire (late ones become overdue, past cycles close).
struct DemoMonths {
    let connectionString: String
    let timeZone: TimeZone
    let seed: UInt64
    let logger: Logger

    /// `2026-01..2026-11`, or one month.
    static func parse(_ text: String) throws -> [AssessmentPeriod] {
        let ends = text.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
        guard (1...2).contains(ends.count), text.filter({ $0 == "." }).count == (ends.count == 2 ? 2 : 0) else {
            throw DomainError.invalid("months", "\(text) is not YYYY-MM or YYYY-MM..YYYY-MM")
        }
        let first = try AssessmentPeriod.parseMonth(ends[0], field: "months")
        let last = try AssessmentPeriod.parseMonth(ends.last ?? ends[0], field: "months")
        guard first <= last else { throw DomainError.invalid("months", "\(first) is after \(last)") }
        var months: [AssessmentPeriod] = []
        var month = last
        while month >= first {
            months.insert(month, at: 0)
            month = month.previousMonth
            guard months.count <= 120 else { throw DomainError.invalid("months", "at most 120 months") }
        }
        return months
    }

    func fill(_ months: [AssessmentPeriod]) async throws -> String {
        let demo = try await DemoDomain(connectionString: connectionString, timeZone: timeZone, poolSize: 12, logger: logger)
        defer { demo.close() }
        let pool = demo.pool, engine = demo.engine, domain = demo.domain
        let assessments = domain.assessments
        let organizer = Requester(login: "demo", role: .admin, scope: .everything)
        let roots = try await pool.read("SELECT code FROM units WHERE parent_code IS NULL AND valid_to IS NULL ORDER BY code", decode: { result in
            try result.rows.map { try $0.decode(0, as: String.self) }
        })
        let paths = try await pool.read("SELECT code, path FROM units", decode: { result in
            Dictionary(try result.rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }, uniquingKeysWith: { first, _ in first })
        })
        var steps = 0
        for month in months {
            let started = Date()
            for root in roots {
                _ = try await assessments.openCycle(month: month, unit: root, by: organizer, actor: Actor(name: "demo", role: "organizer"))
            }
            let byUnit = try await pool.read(
                "SELECT data->>'unit', data->>'cadre' FROM workflow_instances WHERE workflow = 'assessment' AND data->>'month' = $1 ORDER BY 1, 2",
                [month.description],
                decode: { result in
                    Dictionary(grouping: try result.rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }, by: \.0).mapValues { $0.map(\.1) }
                }
            )
            let units = byUnit.keys.sorted()
            // Units in parallel (the engine groups their transitions into shared commits).
            steps += try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0
                var done = 0
                func start() {
                    guard next < units.count else { return }
                    let unit = units[next]
                    next += 1
                    let head = Requester(login: "demo.head", role: .manager, scope: UnitScope(path: paths[unit]), unit: unit, isHead: true)
                    let reviewer = Requester(login: "demo.manager", role: .manager, scope: UnitScope(path: paths[unit]), unit: unit)
                    let cadres = byUnit[unit] ?? []
                    group.addTask {
                        try await Self.run(month: month, cadres: cadres, unit: unit, seed: seed, reviewer: reviewer, head: head, assessments: assessments, pool: pool)
                    }
                }
                for _ in 0..<min(32, units.count) { start() }
                while let count = try await group.next() {
                    done += count
                    start()
                }
                return done
            }
            logger.notice("demo month filled", metadata: ["month": "\(month)", "units": "\(units.count)", "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(started)))"])
        }
        let disciplined = try await discipline(months: months, domain: domain, pool: pool)
        // The months' deadlines: late ones become overdue, cycles whose closing day is past close.
        var fired = 0
        while true {
            let report = try await engine.fireDueTimers(limit: 500)
            fired += report.fired
            if report.fired + report.dropped == 0 { break }
        }
        return "\(months.count) months, \(steps) assessment steps, \(disciplined) cadres disciplined, \(fired) deadline timers fired"
    }

    /// One unit's month: each cadre as the plan draws it, then the head approves the unit.
    private static func run(
        month: AssessmentPeriod, cadres: [String], unit: String, seed: UInt64, reviewer: Requester, head: Requester,
        assessments: AssessmentService, pool: PostgresPool
    ) async throws -> Int {
        let outcomes = DemoMonthPlan.outcomes(cadres: cadres, month: month.description, seed: seed)
        var steps = 0
        func step(_ action: AssessmentAction, _ cadre: String, _ entered: [String: String]) async throws {
            _ = try await assessments.step(action, cadre: cadre, month: month, entered: entered, by: reviewer)
            steps += 1
        }
        var reviewed = 0
        for (cadre, outcome) in zip(cadres, outcomes) {
            switch outcome {
            case .exempt:
                try await step(.exempt, cadre, ["reason": "Nghỉ phép dài hạn"])
            case .late:
                continue
            case .unreviewed:
                try await step(.selfAssess, cadre, ["discipline": "18", "duties": "60"])
            case .approved(let discipline, let duties, let bonus, let returnedFirst):
                let scores = ["discipline": String(discipline), "duties": String(duties), "bonus": String(bonus)]
                try await step(.selfAssess, cadre, scores.merging(["note": "Hoàn thành nhiệm vụ được giao"]) { $1 })
                if returnedFirst {
                    try await step(.returnForRevision, cadre, ["reason": "Bổ sung minh chứng kết quả công việc"])
                    try await step(.selfAssess, cadre, scores)
                }
                try await step(.review, cadre, scores.merging(["comment": "Đồng ý"]) { $1 })
                reviewed += 1
            }
        }
        if reviewed > 0 {
            _ = try await pool.withTransaction { connection in try assessments.approve(month: month, cadre: nil, unit: unit, by: head, on: connection) }
            steps += 1
        }
        return steps
    }

    /// About one cadre in 300 disciplined in the months' year (a reprimand), seeded.
    private func discipline(months: [AssessmentPeriod], domain: Domain, pool: PostgresPool) async throws -> Int {
        guard let year = months.last?.year else { return 0 }
        let cadres = try await pool.read("SELECT code FROM cadres WHERE status = 'active' ORDER BY code", decode: { result in
            try result.rows.map { try $0.decode(0, as: String.self) }
        })
        var generator = SplitMix64(seed: seed ^ 0xD15C)
        let chosen = cadres.filter { _ in generator.next() % 300 == 0 }
        let admin = Requester(login: "demo", role: .admin, scope: .everything)
        let organisation = domain.organisation
        guard let day = CalendarDay(year: year, month: months.last?.number ?? 1, day: 15) else { return 0 }
        try await pool.withTransaction { connection in
            for cadre in chosen {
                try organisation.addDiscipline(cadre, year: year, form: .reprimand, decision: "QĐ kỷ luật khiển trách (dữ liệu mẫu)", decidedOn: day, by: admin, on: connection)
            }
        }
        return chosen.count
    }
}
