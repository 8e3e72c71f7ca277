import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

extension ExamService {
    /// EXAM CREATE: a draft exam for a post of a unit in the requester's scope, with its
    /// terms (the policy's defaults unless the options say otherwise).
    public func create(_ code: String, options: [String: String], by requester: Requester, on connection: PostgresConnection) throws -> String {
        let code = try RecordCode.validate(code, field: "exam")
        let terms = try ExamTerms.parse(options: options, policy: policy)
        try RecordCode.validate(terms.unit, field: "unit")
        guard let path = try connection.query("SELECT path FROM units WHERE code = $1 FOR SHARE", terms.unit).scalar(String.self) else {
            throw DomainError(.notFound, "unit \(terms.unit) does not exist", field: "unit")
        }
        try requester.requireCovers(unit: terms.unit, path: path)
        try OrganisationService.requireOpen(terms.unit, on: calendar.currentDay(), connection: connection)
        let exists = DomainError(.conflict, "exam \(code) exists already", field: "exam")
        if try connection.query("SELECT 1 FROM workflow_instances WHERE key = $1", Self.key(code)).rows.first != nil { throw exists }
        let actor = Actor(name: requester.login, role: "organizer")
        do {
            try engine.on(connection).create(workflow: Self.workflow, key: Self.key(code), data: terms.data, actor: actor)
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw exists  // created at the same moment by another command
        }
        return "\(code) draft: \(terms.level.rawValue) post \"\(terms.post)\" of \(terms.unit); at least \(terms.minCandidates) candidates, "
            + "written \(terms.writtenWeightPercent)% + defense \(100 - terms.writtenWeightPercent)%, pass mark \(terms.passMark) in each round"
            + (terms.planningRequired ? ", planning pool required" : "")
    }

    /// The registration deadline a command gives (`deadline=`), or a month from today;
    /// never in the past.
    func deadline(_ text: String?) throws(DomainError) -> CalendarDay {
        let today = calendar.currentDay()
        guard let day = try CalendarDay.parse(text, field: "deadline") else { return today.adding(months: 1) }
        guard day >= today else { throw DomainError.invalid("deadline", "\(day) is in the past (today is \(today))") }
        return day
    }

    /// EXAM ANNOUNCE: registration opens until the deadline; the day after, the engine's
    /// timer closes it (or, with too few candidates, leaves it open and logs why).
    public func announce(
        _ code: String, deadline text: String?, by requester: Requester, auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        let exam = try await exam(code, by: requester)
        let deadline = try deadline(text)
        let state = try await move(
            exam, "announce", fields: ["registration_deadline": deadline.description], by: requester,
            auditStatements: auditStatements, idempotencyKey: idempotencyKey
        )
        return "\(exam.code) \(state): registration open until \(deadline) (closes by itself the day after)"
    }

    /// EXAM EXTEND: a later registration deadline (from registration, or reopening a closed one).
    public func extend(
        _ code: String, deadline text: String?, by requester: Requester, auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        guard text != nil else { throw DomainError.invalid("deadline", "required: the new registration deadline YYYY-MM-DD") }
        let exam = try await exam(code, by: requester)
        let deadline = try deadline(text)
        // A retry after a lost reply finds the deadline its first attempt set, not after
        // itself: it is answered as the first was.
        return try await engine.answeringRetries(
            idempotencyKey: idempotencyKey, isSame: { $0.id == exam.id }, reply: { "\(exam.code) \($0.state): registration open until \(deadline)" }
        ) {
            if let old = exam.deadline, deadline <= old, exam.state == "registration" {
                throw DomainError.invalid("deadline", "\(deadline) is not after the current deadline \(old)")
            }
            let state = try await move(
                exam, "extend_registration", fields: ["registration_deadline": deadline.description], by: requester,
                auditStatements: auditStatements, idempotencyKey: idempotencyKey
            )
            return "\(exam.code) \(state): registration open until \(deadline)"
        }
    }

    /// EXAM CLOSE: registration closes now, if enough candidates are eligible.
    public func close(_ code: String, by requester: Requester, auditStatements: [PostgresStatement], idempotencyKey: String?) async throws -> String {
        let exam = try await exam(code, by: requester)
        let state = try await move(exam, "close_registration", by: requester, auditStatements: auditStatements, idempotencyKey: idempotencyKey)
        return "\(exam.code) \(state)"
    }

    /// EXAM CANCEL: from any state before publication, with a reason.
    public func cancel(
        _ code: String, reason: String?, by requester: Requester, auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        guard let reason = reason?.trimmingSpaces, !reason.isEmpty else { throw DomainError.invalid("reason", "required: say why") }
        let exam = try await exam(code, by: requester)
        let state = try await move(exam, "cancel", reason: reason, by: requester, auditStatements: auditStatements, idempotencyKey: idempotencyKey)
        return "\(exam.code) \(state)"
    }

    /// EXAM REGISTER: a cadre registers once; the automatic checks run now and are shown.
    public func register(_ code: String, cadre: String, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let exam = try exam(code, by: requester, on: connection, lock: "SHARE")
        try Self.require(exam, in: ["registration"], to: "registering")
        let today = calendar.currentDay()
        if let deadline = exam.deadline, today > deadline {
            throw DomainError(.conflict, "registration for \(exam.code) closed on \(deadline)")
        }
        let cadre = try RecordCode.validate(cadre, field: "cadre")
        guard let row = try connection.query(
            """
            SELECT c.status, c.planning, c.born::text, c.sex, (SELECT max(d.decided_on)::text FROM cadre_discipline d WHERE d.cadre_code = c.code),
                   EXISTS (SELECT 1 FROM exam_candidates e WHERE e.exam = $2 AND e.cadre_code = c.code), coalesce(u.path, '')
            FROM cadres c LEFT JOIN units u ON u.code = c.unit_code WHERE c.code = $1 FOR SHARE OF c
            """,
            cadre, exam.code
        ).rows.first else {
            throw DomainError(.notFound, "cadre \(cadre) does not exist", field: "cadre")
        }
        guard try !row.decode(5, as: Bool.self) else { throw DomainError(.conflict, "\(cadre) is registered for \(exam.code) already", field: "cadre") }
        let facts = EligibilityCheck.Facts(
            status: CadreStatus(rawValue: try row.decode(0)) ?? .retired, planning: try row.decode(1), born: try row.day(2),
            sex: try row.decode(3, as: String?.self).flatMap(Sex.init(rawValue:)), lastDiscipline: try row.day(4)
        )
        let checks = EligibilityCheck.run(facts, terms: exam.terms, policy: policy, retirement: retirement, on: today)
        let passed = checks.allSatisfy(\.passed)
        // A candidate from outside the organizer's scope: which checks failed, not the
        // record behind them (discipline dates, months to retirement are CADRE SHOW's, in scope).
        let inScope = requester.scope.covers(try row.decode(6, as: String.self))
        let summary = inScope ? EligibilityCheck.summary(checks) : EligibilityCheck.names(checks)
        let inserted = try connection.query(
            """
            INSERT INTO exam_candidates (exam, cadre_code, registered_at, registered_by, checks, checks_passed) VALUES ($1, $2, $6, $3, $4, $5)
            ON CONFLICT (exam, cadre_code) DO NOTHING
            """,
            exam.code, cadre, requester.login, summary, passed, engine.on(connection).now
        ).affectedRows
        guard inserted == 1 else { throw DomainError(.conflict, "\(cadre) is registered for \(exam.code) already", field: "cadre") }
        return "\(cadre) registered for \(exam.code); checks \(passed ? "passed" : "failed: \(summary)") (EXAM ELIGIBLE \(exam.code) \(cadre) yes|no rules)"
    }

    /// EXAM ELIGIBLE: the organizer rules a candidate in or out before the written round.
    /// Out needs a reason; in over a failed check needs a reason and is marked an override.
    public func rule(
        _ code: String, cadre: String, eligible: Bool, reason: String?, by requester: Requester, on connection: PostgresConnection
    ) throws -> String {
        let exam = try exam(code, by: requester, on: connection, lock: "SHARE")
        try Self.require(exam, in: ["registration", "closed"], to: "ruling on candidates")
        let cadre = try RecordCode.validate(cadre, field: "cadre")
        guard let row = try connection.query(
            "SELECT checks_passed, checks FROM exam_candidates WHERE exam = $1 AND cadre_code = $2 FOR UPDATE", exam.code, cadre
        ).rows.first else {
            throw DomainError(.notFound, "\(cadre) is not registered for \(exam.code)", field: "cadre")
        }
        let checksPassed: Bool = try row.decode(0)
        let checks: String = try row.decode(1)
        let reason = reason?.trimmingSpaces
        let override = eligible && !checksPassed
        if !eligible || override, reason?.isEmpty ?? true {
            throw DomainError.invalid("reason", eligible ? "required to override the failed checks (\(checks))" : "required: say why the candidate is not eligible")
        }
        try connection.query(
            """
            UPDATE exam_candidates SET eligible = $3, ruling_reason = $4, overridden = $5, ruled_by = $6, ruled_at = $7
            WHERE exam = $1 AND cadre_code = $2
            """,
            exam.code, cadre, eligible, reason.flatMap { $0.isEmpty ? nil : $0 }, override, requester.login, engine.on(connection).now
        )
        if override { return "\(cadre) eligible for \(exam.code), overriding the failed checks (\(checks)): \(reason ?? "")" }
        return "\(cadre) \(eligible ? "eligible" : "not eligible") for \(exam.code)"
    }
}
