import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The hooks the exam definition names. Each runs inside its transition's transaction
/// with the exam instance locked: the guards count what the `exam_*` tables hold, the
/// effects write them (paper codes at START, the ranking at PUBLISH, the appointment).
enum ExamHooks {
    static var hooks: WorkflowHooks {
        WorkflowHooks(
            guards: [
                "exam.enough_registered_candidates": enoughRegistered,
                "exam.enough_eligible_candidates": enoughEligible,
                "exam.all_defense_scores_in": allDefenseScoresIn,
                "exam.winner_chosen": winnerChosen,
                "exam.nobody_passed": nobodyPassed,
            ],
            effects: [
                "exam.assign_paper_codes": assignPaperCodes,
                "exam.rank_candidates": rankCandidates,
                "exam.appoint_winner": appointWinner,
            ]
        )
    }

    /// The exam a hook runs for: its code and terms.
    private static func exam(_ context: HookContext) throws -> (code: String, terms: ExamTerms) {
        guard let instance = context.instance, instance.key.hasPrefix("exam/") else {
            throw GuardRefusal("exam transitions move one exam at a time")
        }
        return (String(instance.key.dropFirst(5)), ExamTerms(data: instance.data, policy: .standard))
    }

    /// Closing needs at least the minimum of candidates ruled eligible or, not yet ruled,
    /// passing every automatic check.
    static let enoughRegistered: WorkflowHooks.Guard = { context in
        let (code, terms) = try exam(context)
        let count = try context.connection.query(
            "SELECT count(*) FROM exam_candidates WHERE exam = $1 AND (eligible OR (eligible IS NULL AND checks_passed))", code
        ).scalar(Int.self) ?? 0
        guard count >= terms.minCandidates else {
            throw GuardRefusal(
                "\(count) eligible candidate\(count == 1 ? "" : "s") (ruled eligible, or not yet ruled and passing the checks); the minimum is \(terms.minCandidates): "
                    + "extend the registration (EXAM EXTEND \(code) deadline=YYYY-MM-DD) or cancel the exam (EXAM CANCEL \(code) reason=…)"
            )
        }
    }

    /// Starting needs every candidate ruled, at least the minimum eligible, and someone
    /// sitting (the `absent` field names eligible candidates who do not sit).
    static let enoughEligible: WorkflowHooks.Guard = { context in
        let (code, terms) = try exam(context)
        let rows = try context.connection.query("SELECT cadre_code, eligible FROM exam_candidates WHERE exam = $1 ORDER BY cadre_code", code).rows
        var unruled: [String] = []
        var eligible: Set<String> = []
        for row in rows {
            let cadre: String = try row.decode(0)
            switch try row.decode(1, as: Bool?.self) {
            case .none: unruled.append(cadre)
            case .some(true): eligible.insert(cadre)
            case .some(false): break
            }
        }
        guard unruled.isEmpty else {
            throw GuardRefusal("\(unruled.count) candidate\(unruled.count == 1 ? " is" : "s are") not ruled yet: \(unruled.joined(separator: ", ")) (EXAM ELIGIBLE \(code) <cadre> yes|no)")
        }
        guard eligible.count >= terms.minCandidates else {
            throw GuardRefusal("\(eligible.count) eligible candidate\(eligible.count == 1 ? "" : "s"); the minimum is \(terms.minCandidates): cancel the exam (EXAM CANCEL \(code) reason=…)")
        }
        let absent = absentees(context.fields)
        if let stranger = absent.sorted().first(where: { !eligible.contains($0) }) {
            throw GuardRefusal("absent: \(stranger) is not an eligible candidate of \(code)")
        }
        guard eligible.subtracting(absent).count >= 1 else { throw GuardRefusal("absent: nobody would sit the written round") }
    }

    /// The `absent` field's cadres (`C1,C2`).
    static func absentees(_ fields: [String: String]) -> Set<String> {
        Set((fields["absent"] ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty })
    }

    /// START: a random code for every eligible candidate who sits, in a random order; the
    /// absent are marked. Codes are unique across exams (a clash draws again).
    static let assignPaperCodes: WorkflowHooks.Effect = { context in
        let (code, _) = try exam(context)
        let absent = absentees(context.fields)
        try context.connection.query(
            "UPDATE exam_candidates SET absent = cadre_code = ANY($2::text[]) WHERE exam = $1 AND eligible", code, Array(absent)
        )
        var waiting = try context.connection.query(
            "SELECT cadre_code FROM exam_candidates WHERE exam = $1 AND eligible AND NOT absent", code
        ).rows.map { try $0.decode(0, as: String.self) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 where !waiting.isEmpty {
            waiting.shuffle(using: &generator)
            let codes = waiting.map { _ in PaperCode.make(using: &generator) }
            let stored = try context.connection.query(
                """
                INSERT INTO exam_papers (code, exam, cadre_code)
                SELECT paper, $1, cadre FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(paper, cadre, n) ORDER BY n
                ON CONFLICT (code) DO NOTHING RETURNING cadre_code
                """,
                code, codes, waiting
            ).rows.map { try $0.decode(0, as: String.self) }
            waiting = Array(Set(waiting).subtracting(stored))
        }
        guard waiting.isEmpty else { throw DomainError(.conflict, "could not draw unique paper codes; try START again") }
    }

    /// Publishing needs a defense score for every candidate who passed the written round.
    static let allDefenseScoresIn: WorkflowHooks.Guard = { context in
        let (code, _) = try exam(context)
        let missing = try context.connection.query(
            """
            SELECT c.cadre_code FROM exam_written_results c
            WHERE c.exam = $1 AND c.passed_written AND NOT EXISTS (SELECT 1 FROM exam_defense_scores d WHERE d.exam = c.exam AND d.cadre_code = c.cadre_code)
            ORDER BY c.cadre_code
            """,
            code
        ).rows.map { try $0.decode(0, as: String.self) }
        guard missing.isEmpty else {
            throw GuardRefusal("no defense scores yet for \(missing.joined(separator: ", ")) (EXAM IMPORT defense format=csv)")
        }
    }

    /// The papers of an exam as the ranking reads them: every candidate who sat, with the
    /// revealed written mark and the council's scores.
    static func papers(_ code: String, on connection: PostgresConnection) throws -> [ExamRanking.Paper] {
        try connection.query(
            """
            SELECT c.cadre_code, (c.written * 100)::int,
                   coalesce(string_agg(((d.score * 100)::int)::text, ',' ORDER BY d.member), '')
            FROM exam_written_results c LEFT JOIN exam_defense_scores d ON d.exam = c.exam AND d.cadre_code = c.cadre_code
            WHERE c.exam = $1
            GROUP BY c.cadre_code, c.written ORDER BY c.cadre_code
            """,
            code
        ).rows.map { row in
            ExamRanking.Paper(
                cadre: try row.decode(0), written: Mark(hundredths: try row.decode(1)),
                defense: try row.decode(2, as: String.self).split(separator: ",").compactMap { Int($0).map { Mark(hundredths: $0) } }
            )
        }
    }

    /// PUBLISH: the ranking is computed and frozen on the candidates' rows.
    static let rankCandidates: WorkflowHooks.Effect = { context in
        let (code, terms) = try exam(context)
        let ranking = ExamRanking(papers: try papers(code, on: context.connection), terms: terms)
        let rows = ranking.rows
        try context.connection.query(
            """
            UPDATE exam_candidates c SET defense = t.defense / 100.0, total = t.total / 100.0, rank = t.rank, passed = t.passed
            FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::boolean[]) AS t(cadre, defense, total, rank, passed)
            WHERE c.exam = $1 AND c.cadre_code = t.cadre
            """,
            code, rows.map(\.cadre), rows.map { $0.defense?.hundredths }, rows.map { $0.total?.hundredths }, rows.map(\.rank), rows.map(\.passed)
        )
    }

    /// The frozen ranking's winner.
    static func winner(_ code: String, on connection: PostgresConnection) throws -> ExamRanking.Winner {
        let first = try connection.query("SELECT cadre_code FROM exam_candidates WHERE exam = $1 AND rank = 1 ORDER BY cadre_code", code)
            .rows.map { try $0.decode(0, as: String.self) }
        switch first.count {
        case 0: return .nobody
        case 1: return .one(first[0])
        default: return .tied(first)
        }
    }

    /// APPOINT needs the `cadre` field to be the winner, or one of the tied first.
    static let winnerChosen: WorkflowHooks.Guard = { context in
        let (code, _) = try exam(context)
        do {
            _ = try ExamRanking.appointee(context.fields["cadre"], winner: try winner(code, on: context.connection))
        } catch let error as DomainError {
            throw GuardRefusal(error.description)
        }
    }

    /// NO WINNER needs nobody to have passed both rounds.
    static let nobodyPassed: WorkflowHooks.Guard = { context in
        let (code, _) = try exam(context)
        if case .nobody = try winner(code, on: context.connection) { return }
        throw GuardRefusal("a candidate passed both rounds: appoint the winner (EXAM APPOINT \(code) decision=…)")
    }

    /// APPOINT: the winner holds the post from the decision's date: their unit, position
    /// and level change, with a work-history entry naming the exam and the decision.
    static let appointWinner: WorkflowHooks.Effect = { context in
        let (code, terms) = try exam(context)
        guard let cadre = context.fields["cadre"], let decision = context.fields["decision"] else {
            throw DomainError.invalid("decision", "required")
        }
        let day = context.fields["date"].flatMap { CalendarDay($0) } ?? CalendarDay(context.now, timeZone: context.engine.timeZone)
        try OrganisationService.requireOpen(terms.unit, on: day, connection: context.connection)
        try OrganisationService.moveCadres(
            .cadres([cadre]), to: terms.unit, on: day, position: terms.post, level: terms.level.rawValue,
            reason: "appointed after exam \(code): \(decision)", by: context.actor.name, connection: context.connection
        )
    }
}
