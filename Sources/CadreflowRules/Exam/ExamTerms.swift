/// One exam's own terms, as stored in its instance data: the post, its unit and level, and
/// the policy values the exam may override (the minimum, the weight, the pass mark, the
/// planning requirement).
public struct ExamTerms: Sendable, Equatable {
    /// The post's title.
    public var post: String
    /// The unit the post belongs to (the organizer's scope must hold it).
    public var unit: String
    /// The post's level: head or deputy.
    public var level: CadreLevel
    /// Fewest eligible candidates.
    public var minCandidates: Int
    /// The written round's weight in percent.
    public var writtenWeightPercent: Int
    /// The pass mark of each round.
    public var passMark: Mark
    /// Whether candidates must be in the planning pool.
    public var planningRequired: Bool

    /// Terms from their parts.
    public init(post: String, unit: String, level: CadreLevel, minCandidates: Int, writtenWeightPercent: Int, passMark: Mark, planningRequired: Bool) {
        self.post = post
        self.unit = unit
        self.level = level
        self.minCandidates = minCandidates
        self.writtenWeightPercent = writtenWeightPercent
        self.passMark = passMark
        self.planningRequired = planningRequired
    }

    /// The terms of EXAM CREATE's options over the policy's defaults; each bad value names its option.
    public static func parse(options: [String: String], policy: ExamPolicy) throws(DomainError) -> ExamTerms {
        guard let post = FieldText.value({ options[$0] }, "post") else { throw DomainError.invalid("post", "required: the title of the post") }
        guard post.count <= 200 else { throw DomainError.invalid("post", "at most 200 characters") }
        guard let unit = FieldText.value({ options[$0] }, "unit") else { throw DomainError.invalid("unit", "required: the unit of the post") }
        let level: CadreLevel = try Choice.parse(options["level"], field: "level", default: CadreLevel.deputy) ?? .deputy
        guard level != .staff else { throw DomainError.invalid("level", "head or deputy (an exam is for a leadership post)") }
        let minimum = try whole(options["min_candidates"], field: "min_candidates", range: 1...1_000) ?? policy.minCandidates
        let weight = try whole(options["written_weight"], field: "written_weight", range: 0...100) ?? policy.writtenWeightPercent
        let pass = try options["pass_mark"].map { text throws(DomainError) in try Mark.parse(text, field: "pass_mark") } ?? policy.passMark
        let planning = try options["planning"].map { text throws(DomainError) in try YesNo.parse(text, field: "planning") } ?? policy.planningRequired
        return ExamTerms(post: post, unit: unit, level: level, minCandidates: minimum, writtenWeightPercent: weight, passMark: pass, planningRequired: planning)
    }

    /// The terms as instance data.
    public var data: [String: String] {
        [
            "post": post, "unit": unit, "level": level.rawValue, "min_candidates": String(minCandidates),
            "written_weight": String(writtenWeightPercent), "pass_mark": passMark.description, "planning": planningRequired ? "yes" : "no",
        ]
    }

    /// The terms of an exam's instance data (values missing or unreadable fall back to the policy).
    public init(data: [String: String], policy: ExamPolicy) {
        post = data["post"] ?? ""
        unit = data["unit"] ?? ""
        level = data["level"].flatMap(CadreLevel.init(rawValue:)) ?? .deputy
        minCandidates = data["min_candidates"].flatMap { Int($0) } ?? policy.minCandidates
        writtenWeightPercent = data["written_weight"].flatMap { Int($0) } ?? policy.writtenWeightPercent
        passMark = data["pass_mark"].flatMap { try? Mark.parse($0) } ?? policy.passMark
        planningRequired = data["planning"].map { $0 == "yes" } ?? policy.planningRequired
    }

    private static func whole(_ text: String?, field: String, range: ClosedRange<Int>) throws(DomainError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw DomainError.invalid(field, "a whole number \(range.lowerBound)–\(range.upperBound), not \(text)")
        }
        return value
    }
}
