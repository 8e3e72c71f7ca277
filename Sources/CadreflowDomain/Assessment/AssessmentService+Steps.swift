import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// One cadre's assessment for a month as read: its engine instance and what decides who
/// may act on it.
public struct AssessmentRecord: Sendable, Equatable {
    /// The instance key.
    public var key: String
    /// The instance version (the next step must find it unchanged).
    public var version: Int64
    /// The facts the permissions are decided on.
    public var facts: AssessmentFacts
    /// The cadre's name.
    public var cadreName: String
    /// The grade the review gave (nil before a review).
    public var grade: String?
    /// The instance data (scores as entered, totals, grades, who did what), read only for
    /// ``AssessmentService/assessment(cadre:month:by:)``; empty on the steps' path.
    public var data: [String: String]
}

extension AssessmentService {
    /// The statement that reads an assessment with its unit's path and its cycle's state.
    /// The unit, cycle and cadre are scalar subqueries, each an index look-up: as joins,
    /// the prepared statement's generic plan hashed the whole units table on every step.
    private static func recordSQL(locking: Bool) -> String {
        """
        SELECT i.version, i.state, i.data->>'cadre', i.data->>'unit', (SELECT u.path FROM units u WHERE u.code = i.data->>'unit'),
               coalesce((SELECT c.state FROM workflow_instances c WHERE c.key = i.data->>'cycle'), 'open'), i.data->>'grade',
               coalesce((SELECT cd.full_name FROM cadres cd WHERE cd.code = i.data->>'cadre'), ''),
               CASE WHEN $2::boolean THEN i.data::text END
        FROM workflow_instances i
        WHERE i.key = $1 AND i.workflow = 'assessment'
        \(locking ? "FOR UPDATE OF i" : "")
        """
    }

    /// Reads an assessment with its unit's path and its cycle's state (`FOR UPDATE` when
    /// `locking`, inside a transaction), and its whole data when `withData`.
    static func record(
        _ key: String, deadlines: DeadlineSchedule, on connection: PostgresConnection, locking: Bool = false, withData: Bool = false
    ) throws -> AssessmentRecord {
        try decodeRecord(connection.queryPrepared(recordSQL(locking: locking), key, withData), key: key, deadlines: deadlines)
    }

    /// ``record(_:deadlines:on:locking:withData:)`` without its data, as one read on the
    /// pool's read lanes (it shares a round trip with the reads and steps of others).
    static func recordRead(_ key: String, deadlines: DeadlineSchedule) -> PostgresRead<AssessmentRecord> {
        PostgresRead(recordSQL(locking: false), [key, false]) { try decodeRecord($0, key: key, deadlines: deadlines) }
    }

    private static func decodeRecord(_ result: PostgresResult, key: String, deadlines: DeadlineSchedule) throws -> AssessmentRecord {
        guard let row = result.rows.first, !result.isNull(row: 0, column: 4) else {
            throw DomainError(.notFound, "no assessment \(key): is the month's cycle open for the cadre's unit?")
        }
        let data = try row.decode(8, as: String?.self).map { try JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        let facts = AssessmentFacts(
            cadre: try row.decode(2), month: deadlines.month, unit: try row.decode(3), unitPath: try row.decode(4), state: try row.decode(1),
            cycleClosed: try row.decode(5, as: String.self) == "closed", selfDeadline: deadlines.selfAssessment
        )
        return AssessmentRecord(key: key, version: try row.decode(0), facts: facts, cadreName: try row.decode(7), grade: try row.decode(6), data: data)
    }

    /// One assessment, if the requester's scope holds its unit (or it is the requester's own).
    public func assessment(cadre: String, month: AssessmentPeriod, by requester: Requester) async throws -> (AssessmentRecord, [HistoryEntry]) {
        let (_, deadlines) = try schedule(month)
        let key = Self.assessmentKey(month, cadre: cadre)
        let record = try await pool.withConnection { connection in try Self.record(key, deadlines: deadlines, on: connection, withData: true) }
        guard requester.cadre == cadre || requester.scope.covers(record.facts.unitPath) else {
            throw DomainError(.denied, "unit \(record.facts.unit) is outside your scope")
        }
        let history = try await engine.history(.key(key))
        return (record, history)
    }

    /// Takes one step (SELF, REVIEW, RETURN, EXEMPT, REOPEN) on a cadre's assessment for a
    /// month: who may and when is ``AssessmentPermission``'s; scores are checked against the
    /// month's rule set (``ScoreSheet``), the total and grade computed; the move is one
    /// engine transition that finds the version it read, with `auditStatements` in its
    /// commit and `idempotencyKey` as its engine idempotency key. With `record`, the
    /// assessment as the caller read it already (``approvalByStep(cadre:month:)``) stands for
    /// the step's own read.
    public func step(
        _ action: AssessmentAction, cadre: String, month: AssessmentPeriod, entered: [String: String], by requester: Requester,
        auditStatements: [PostgresStatement] = [], idempotencyKey: String? = nil, record: AssessmentRecord? = nil
    ) async throws -> String {
        let (ruleSet, deadlines) = try schedule(month)
        let key = Self.assessmentKey(month, cadre: cadre)
        // A retry of a step that committed (its reply lost) is answered as the first was,
        // even where the rules would now refuse it for the state it left.
        return try await engine.answeringRetries(
            idempotencyKey: idempotencyKey, isSame: { $0.key == key }, reply: { Self.reply(key, action, $0, ruleSet: ruleSet) }
        ) {
            let read: AssessmentRecord
            if let record { read = record } else { read = try await pool.read(Self.recordRead(key, deadlines: deadlines)) }
            return try await takeStep(action, record: read, ruleSet: ruleSet, deadlines: deadlines, entered: entered, by: requester,
                                      auditStatements: auditStatements, idempotencyKey: idempotencyKey)
        }
    }

    private func takeStep(
        _ action: AssessmentAction, record: AssessmentRecord, ruleSet: RuleSet, deadlines: DeadlineSchedule, entered: [String: String], by requester: Requester,
        auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        let key = record.key
        let role = try AssessmentPermission.check(action, record.facts, by: requester, today: calendar.currentDay())
        var fields: [String: String] = [:]
        var reason: String?
        switch action {
        case .selfAssess:
            let sheet = try ScoreSheet(entered: entered, ruleSet: ruleSet)
            fields = Self.scoreFields(sheet, prefix: "self_", by: requester)
            fields["self_on_behalf"] = role == "cadre" ? "no" : "yes"
            if let note = entered["note"] { fields["self_note"] = note }
        case .review:
            let sheet = try ScoreSheet(entered: entered, ruleSet: ruleSet)
            fields = Self.scoreFields(sheet, prefix: "review_", by: requester)
            fields["total"] = sheet.total.description
            fields["grade"] = sheet.grade.rawValue
            let noSelf = record.facts.state == "overdue"
            fields["no_self_assessment"] = noSelf ? "yes" : "no"
            if let comment = entered["comment"] { fields["review_comment"] = comment }
        case .returnForRevision, .exempt, .reopen:
            guard let given = entered["reason"]?.trimmingCharacters(in: .whitespaces), !given.isEmpty else {
                throw DomainError.invalid("reason", "required: say why")
            }
            reason = given
            fields["reason"] = given
            fields["\(action.rawValue)_by"] = requester.login
            if action == .returnForRevision {
                fields["total"] = ""
                fields["grade"] = ""
            }
        case .approve:
            // Only an approval that cannot raise the count the quota limits comes here.
            if Self.approvalNeedsQuota(grade: record.grade, month: deadlines.month, ruleSet: ruleSet) {
                throw DomainError(.conflict, "\(key) was graded \(record.grade ?? "") meanwhile: its approval runs with the quota check; send ASSESS APPROVE again")
            }
            fields = ["approved_by": requester.login, "approved_on": calendar.currentDay().description]
        }
        let outcome = try await engine.transition(TransitionCommand(
            instance: .key(key), transition: action.rawValue, actor: Self.actor(requester, role: role), fields: fields, reason: reason,
            expectedVersion: record.version, idempotencyKey: idempotencyKey, attachedWrites: auditStatements
        ))
        return Self.reply(key, action, outcome.instance, ruleSet: ruleSet)
    }

    /// Whether approving an assessment of this grade must count the quota (in a
    /// transaction, ``approve(month:cadre:unit:by:on:)``): its grade is the one the quota
    /// limits, in a graded month. Any other approval cannot raise that count, and is one
    /// engine step at the version read, group-committed with others' steps.
    static func approvalNeedsQuota(grade: String?, month: AssessmentPeriod, ruleSet: RuleSet) -> Bool {
        ruleSet.isGraded(month) && grade == ruleSet.quota.grade.rawValue
    }

    /// The assessment that approving one cadre moves as one engine step, read without a
    /// lock (pass it to ``step(_:cadre:month:entered:by:auditStatements:idempotencyKey:record:)``);
    /// nil when its grade is the one the quota limits (``approvalNeedsQuota(grade:month:ruleSet:)``)
    /// and the approval counts the quota in a transaction. The step moves it only at the
    /// version read, so a regrade meanwhile is refused and the approval is sent again.
    public func approvalByStep(cadre: String, month: AssessmentPeriod) async throws -> AssessmentRecord? {
        let (ruleSet, deadlines) = try schedule(month)
        let record = try await pool.read(Self.recordRead(Self.assessmentKey(month, cadre: cadre), deadlines: deadlines))
        return Self.approvalNeedsQuota(grade: record.grade, month: month, ruleSet: ruleSet) ? nil : record
    }

    /// What an approval says about the quota it did not need to count.
    static func untouchedQuota(month: AssessmentPeriod, ruleSet: RuleSet) -> String {
        let limited = ruleSet.quota.grade.rawValue
        return ruleSet.isGraded(month)
            ? "none graded \(limited): the \(limited) quota is not touched"
            : "months are not graded under \(ruleSet.name): the quota applies to the quarter and the year"
    }

    /// The reply to a step, from the instance it left (so that a replay reads the same):
    /// the state, and for SELF and REVIEW the total and grade.
    static func reply(_ key: String, _ action: AssessmentAction, _ instance: InstanceSnapshot, ruleSet: RuleSet) -> String {
        let data = instance.data
        let summary: String
        switch action {
        case .approve:
            // As the approval of a unit says it.
            let month = (try? AssessmentPeriod.parseMonth(data["month"] ?? "")).map { untouchedQuota(month: $0, ruleSet: ruleSet) } ?? ""
            return "approved 1 in unit \(data["unit"] ?? "") for \(data["month"] ?? "") (\(month))"
        case .selfAssess:
            let onBehalf = data["self_on_behalf"] == "yes" ? " (entered on the cadre's behalf)" : ""
            summary = " total \(data["self_total"] ?? "") grade \(data["self_grade"] ?? "")\(onBehalf)"
        case .review:
            let noSelf = data["no_self_assessment"] == "yes" ? " (no self-assessment)" : ""
            summary = " total \(data["total"] ?? "") grade \(data["grade"] ?? "")\(noSelf)"
        default:
            summary = ""
        }
        return "\(key) \(instance.state)\(summary)"
    }

    /// A score sheet as instance fields: each part, the total and the grade under `prefix`
    /// (`self_duties`, `review_total` …), and who entered them (`self_by`).
    static func scoreFields(_ sheet: ScoreSheet, prefix: String, by requester: Requester) -> [String: String] {
        var fields = [prefix + "total": sheet.total.description, prefix + "grade": sheet.grade.rawValue, prefix + "by": requester.login]
        for part in sheet.parts { fields[prefix + part.key] = part.points.description }
        return fields
    }
}

