/// The results of an exam (mission.md section 2): the defense score is the council's mean;
/// the total is the weighted sum; a candidate passes with at least the pass mark in each
/// round (below it in the written round there is no defense); the passed are ranked by
/// total, then by defense score; candidates equal on both share a rank. The winner is the
/// first; several sharing the first rank leave the choice to the organizer at appointment.
public struct ExamRanking: Sendable, Equatable {
    /// One candidate who sat the written round.
    public struct Paper: Sendable, Equatable {
        /// The cadre.
        public var cadre: String
        /// The written mark.
        public var written: Mark
        /// The council members' defense scores (none below the written pass mark).
        public var defense: [Mark]

        /// A paper from its parts.
        public init(cadre: String, written: Mark, defense: [Mark]) {
            self.cadre = cadre
            self.written = written
            self.defense = defense
        }
    }

    /// A candidate's result.
    public struct Row: Sendable, Equatable {
        /// The cadre.
        public var cadre: String
        /// The written mark.
        public var written: Mark
        /// The council mean (nil: no defense round for this candidate).
        public var defense: Mark?
        /// The weighted total (nil without a defense).
        public var total: Mark?
        /// At least the pass mark in both rounds.
        public var passed: Bool
        /// 1 for the best of those who passed; nil for those who did not pass.
        public var rank: Int?
    }

    /// Who wins.
    public enum Winner: Sendable, Equatable {
        /// One candidate ranks first.
        case one(String)
        /// Several share the first rank (same total, same defense): the organizer chooses.
        case tied([String])
        /// Nobody passed both rounds.
        case nobody
    }

    /// The rows, best first (those who passed by rank, then the others by written mark).
    public var rows: [Row]
    /// Who wins.
    public var winner: Winner

    /// Ranks the papers under the exam's terms.
    public init(papers: [Paper], terms: ExamTerms) {
        var rows = papers.map { paper -> Row in
            let defense = Mark.mean(paper.defense)
            let total = defense.map { paper.written.weighted(terms.writtenWeightPercent, with: $0) }
            let passed = paper.written >= terms.passMark && (defense.map { $0 >= terms.passMark } ?? false)
            return Row(cadre: paper.cadre, written: paper.written, defense: defense, total: total, passed: passed, rank: nil)
        }
        func key(_ row: Row) -> (Int, Int) { (row.total?.hundredths ?? -1, row.defense?.hundredths ?? -1) }
        rows.sort { lhs, rhs in
            if lhs.passed != rhs.passed { return lhs.passed }
            if key(lhs) != key(rhs) { return key(lhs) > key(rhs) }
            if lhs.written != rhs.written { return lhs.written > rhs.written }
            return lhs.cadre < rhs.cadre
        }
        var previous: (Int, Int)?
        var rank = 0
        for index in rows.indices where rows[index].passed {
            if previous.map({ $0 != key(rows[index]) }) ?? true { rank = index + 1 }
            rows[index].rank = rank
            previous = key(rows[index])
        }
        self.rows = rows
        let first = rows.filter { $0.rank == 1 }.map(\.cadre)
        switch first.count {
        case 0: winner = .nobody
        case 1: winner = .one(first[0])
        default: winner = .tied(first.sorted())
        }
    }

    /// Whether `cadre` may be appointed: the winner, or one of the tied first (then
    /// `cadre` is required). The refusal says who may.
    public func appointee(_ cadre: String?) throws(DomainError) -> String {
        try Self.appointee(cadre, winner: winner)
    }

    /// Whether `cadre` may be appointed under a frozen ranking's `winner`.
    public static func appointee(_ cadre: String?, winner: Winner) throws(DomainError) -> String {
        switch winner {
        case .nobody:
            throw DomainError(.conflict, "nobody passed both rounds: there is no winner to appoint")
        case .one(let winner):
            if let cadre, cadre != winner { throw DomainError(.conflict, "\(cadre) is not the winner: \(winner) ranks first", field: "cadre") }
            return winner
        case .tied(let tied):
            guard let cadre else {
                throw DomainError.invalid("cadre", "required: \(tied.joined(separator: ", ")) share the first rank (same total and defense score); name the one appointed")
            }
            guard tied.contains(cadre) else {
                throw DomainError(.conflict, "\(cadre) is not among those ranked first (\(tied.joined(separator: ", ")))", field: "cadre")
            }
            return cadre
        }
    }
}
