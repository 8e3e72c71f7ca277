/// One assessment's scores as entered (ASSESS SELF / REVIEW: `discipline=18 duties=65.5
/// bonus=5`), each part checked against the rule set's range, with the total and the grade
/// computed from them (never typed).
public struct ScoreSheet: Sendable, Equatable {
    /// One part's value.
    public struct Part: Sendable, Equatable {
        /// The part's key (`duties`).
        public var key: String
        /// Its value.
        public var points: Points
    }

    /// The parts in the rule set's order; an optional part left out holds its minimum.
    public var parts: [Part]
    /// The sum of the parts.
    public var total: Points
    /// The grade of the total.
    public var grade: Grade

    /// Checks the raw texts of the parts by key; the first fault names the part:
    /// `duties: required`, `duties: 71 is outside 0–70`, `duties: 65.25 has more than one
    /// decimal`, `duties: abc is not a number`.
    public init(entered: (String) -> String?, ruleSet: RuleSet) throws(DomainError) {
        var parts: [Part] = []
        for part in ruleSet.scores.parts {
            guard let text = FieldText.value(entered, part.key) else {
                guard !part.required else { throw DomainError.invalid(part.key, "required") }
                parts.append(Part(key: part.key, points: part.min))
                continue
            }
            let points = try Points.parse(text, field: part.key, decimals: ruleSet.scores.decimals)
            guard part.min <= points, points <= part.max else {
                throw DomainError.invalid(part.key, "\(text) is outside \(part.min)–\(part.max)")
            }
            parts.append(Part(key: part.key, points: points))
        }
        self.parts = parts
        total = parts.reduce(Points.zero) { $0 + $1.points }
        grade = ruleSet.grade(for: total)
    }

    /// Checks parts given as a dictionary of texts.
    public init(entered: [String: String], ruleSet: RuleSet) throws(DomainError) {
        try self.init(entered: { entered[$0] }, ruleSet: ruleSet)
    }

    /// The value of a part, or nil for a key the rule set does not have.
    public subscript(key: String) -> Points? {
        parts.first(where: { $0.key == key })?.points
    }
}
