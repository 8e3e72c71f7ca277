import CadreflowDefinitions
import CadreflowDemo
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation
import Logging

/// Fills the demo city with examinations and assignments through the domain's services,
/// as an organisation board runs them: most exams carried through to an appointment (the
/// written marks imported by paper code, the council's scores, the ranking), some in
/// their registration, some still drafts — the shape of "170/289 posts completed, 20 in
/// progress"; and rotations and secondments of planning-pool cadres, approved to start today.
struct DemoWorkflows {
    let connectionString: String
    let timeZone: TimeZone
    let seed: UInt64
    let logger: Logger

    func fill(exams: Int, assignments: Int) async throws -> String {
        let demo = try await DemoDomain(connectionString: connectionString, timeZone: timeZone, poolSize: 6, logger: logger)
        defer { demo.close() }
        let pool = demo.pool, domain = demo.domain
        var generator = SplitMix64(seed: seed ^ 0xE4A1)
        let organizer = Requester(login: "demo", role: .organizer, scope: .everything)
        let units = try await pool.read(
            "SELECT code FROM units WHERE parent_code IS NOT NULL AND valid_to IS NULL AND (valid_from IS NULL OR valid_from <= current_date) ORDER BY code",
            decode: { result in try result.rows.map { try $0.decode(0, as: String.self) } }
        )
        let pool3 = try await pool.read(
            "SELECT code FROM cadres WHERE planning AND status = 'active' AND born > date '1976-01-01' AND sex IS NOT NULL AND NOT pregnant ORDER BY code",
            decode: { result in try result.rows.map { try $0.decode(0, as: String.self) } }
        )
        guard !units.isEmpty, pool3.count >= 3 else { return "no units or planning-pool cadres to work with" }
        var candidates = pool3.shuffled(using: &generator)
        func take(_ count: Int) -> [String] {
            if candidates.count < count { candidates = pool3.shuffled(using: &generator) }
            let taken = Array(candidates.prefix(count))
            candidates.removeFirst(taken.count)
            return taken
        }
        var stages: [String: Int] = [:]
        for index in 0..<exams {
            let unit = units[Self.draw(units.count, &generator)]
            let code = "TT\(String(format: "%03d", index + 1))-\(unit)"
            let draw = Self.draw(100, &generator)
            let stage = draw < 60 ? "appointed" : draw < 70 ? "registration" : draw < 75 ? "defense" : "draft"
            do {
                try await run(exam: code, unit: unit, stage: stage, candidates: take(3), domain: domain, pool: pool, by: organizer, generator: &generator)
                stages[stage, default: 0] += 1
            } catch {
                logger.warning("demo exam left as it was", metadata: ["exam": "\(code)", "error": "\(error)"])
            }
        }
        var moved = 0
        let kinds: [(AssignmentKind, Int)] = [(.rotation, 36), (.secondment, 12), (.positionChange, 24)]
        let today = Domain.calendar(timeZone: timeZone).currentDay()
        for index in 0..<assignments {
            guard let cadre = take(1).first else { break }
            let (kind, months) = kinds[index % kinds.count]
            let to = units[Self.draw(units.count, &generator)]
            do {
                let proposal = AssignmentProposal(cadre: cadre, kind: kind, toUnit: to, start: today, months: months, position: nil, reason: "Kế hoạch luân chuyển cán bộ \(today.year)")
                let id = try await pool.withTransaction { connection in try domain.assignments.propose(proposal, by: organizer, on: connection).id }
                _ = try await pool.withTransaction { connection in
                    try domain.assignments.approve(id, decision: "QĐ \(100 + index)/QĐ-TU", date: nil, by: organizer, on: connection)
                }
                moved += 1
            } catch {
                logger.debug("demo assignment skipped", metadata: ["cadre": "\(cadre)", "error": "\(error)"])
            }
        }
        let exam = stages.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return "\(exams) exams (\(exam)); \(moved) assignments approved to start \(today) (they take effect when the service's timers run)"
    }

    /// A number in 0..<bound.
    private static func draw(_ bound: Int, _ generator: inout SplitMix64) -> Int {
        Int(generator.next() % UInt64(bound))
    }

    /// One exam for a deputy post of `unit`, taken as far as `stage`.
    private func run(
        exam code: String, unit: String, stage: String, candidates: [String], domain: Domain, pool: PostgresPool, by organizer: Requester,
        generator: inout SplitMix64
    ) async throws {
        let exams = domain.exams
        _ = try await pool.withTransaction { connection in
            try exams.create(code, options: ["post": "Phó Chủ tịch UBND", "unit": unit, "planning": "no"], by: organizer, on: connection)
        }
        guard stage != "draft" else { return }
        let deadline = Domain.calendar(timeZone: timeZone).currentDay().adding(months: stage == "registration" ? 1 : 0)
        _ = try await exams.announce(code, deadline: deadline.description, by: organizer, auditStatements: [], idempotencyKey: nil)
        for cadre in candidates {
            _ = try await pool.withTransaction { connection in try exams.register(code, cadre: cadre, by: organizer, on: connection) }
        }
        guard stage != "registration" else { return }
        for cadre in candidates {
            _ = try await pool.withTransaction { connection in
                try exams.rule(code, cadre: cadre, eligible: true, reason: "Hội đồng xét duyệt hồ sơ: đủ điều kiện", by: organizer, on: connection)
            }
        }
        _ = try await exams.close(code, by: organizer, auditStatements: [], idempotencyKey: nil)
        _ = try await exams.start(code, absent: nil, by: organizer, auditStatements: [], idempotencyKey: nil)
        let papers = try await exams.papers(code, by: organizer)
        let written = papers.enumerated().map { offset, paper in
            ExamResultRows.Row(line: offset + 2, exam: code, keys: [paper.code], score: Mark(hundredths: 4_500 + Self.draw(5_000, &generator)))
        }
        _ = try await pool.withTransaction { connection in
            try exams.importResults(ExamResultsFile(round: "written", rows: written, digest: "demo-written-\(code)"), by: organizer, on: connection)
        }
        let (_, rows) = try await exams.show(code, by: organizer)
        let council = ["Ủy viên Nguyễn Văn An", "Ủy viên Trần Thị Bình", "Ủy viên Lê Quang Cường"]
        var defense: [ExamResultRows.Row] = []
        for row in rows where row.written != "" && row.passed != "no" {
            for member in council {
                defense.append(ExamResultRows.Row(
                    line: defense.count + 2, exam: code, keys: [row.cadre, member], score: Mark(hundredths: 5_000 + Self.draw(4_500, &generator))
                ))
            }
        }
        if !defense.isEmpty {
            let file = ExamResultsFile(round: "defense", rows: defense, digest: "demo-defense-\(code)")
            _ = try await pool.withTransaction { connection in try exams.importResults(file, by: organizer, on: connection) }
        }
        guard stage == "appointed" else { return }
        _ = try await exams.publish(code, by: organizer, auditStatements: [], idempotencyKey: nil)
        let (_, ranked) = try await exams.show(code, by: organizer)
        let first = ranked.filter { $0.rank == "1" }.map(\.cadre)
        _ = try await exams.appoint(
            code, cadre: first.count > 1 ? first.first : nil, decision: "QĐ bổ nhiệm số \(code)", date: nil, by: organizer, auditStatements: [], idempotencyKey: nil
        )
    }
}
