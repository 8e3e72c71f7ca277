import Foundation

/// Reading a rule-set file: every key checked, the first fault thrown as a ``DomainError``
/// naming the file and the key (`monthly.json: grades.A.min: must be between 0 and 100`).
extension RuleSet {
    /// The maximum total score: the parts' maxima must add up to it, the grade edges lie
    /// within it.
    public static let maximumScore = Points(whole: 100)

    /// Reads and validates one rule-set file.
    public static func decode(_ data: Data, file: String) throws(DomainError) -> RuleSet {
        do {
            var ruleSet = try JSONDecoder().decode(RuleSet.self, from: data)
            ruleSet.file = file
            return ruleSet
        } catch let error as DomainError {
            throw error.inFile(file)
        } catch {
            throw DomainError(.invalid, "is not valid JSON", field: file)
        }
    }

    /// Decodes and validates (the faults name the key, not yet the file: see
    /// ``decode(_:file:)``).
    public init(from decoder: any Decoder) throws {
        try self.init(fields: RuleFields(decoder: decoder))
    }

    private init(fields top: RuleFields) throws(DomainError) {
        try top.only(["name", "from", "source", "description", "scores", "grades", "grading", "quota", "year", "deadlines", "escalation"])
        name = try top.text("name")
        guard RecordCode.isValid(name) else { throw DomainError.invalid("name", "\(name) is not a name: use 1 to 64 letters, digits, _ . -") }
        file = ""
        let fromText = try top.text("from")
        guard let from = AssessmentPeriod(fromText), from.kind == .month else { throw DomainError.invalid("from", "\(fromText) is not a month YYYY-MM") }
        self.from = from
        source = try top.text("source")
        summary = try top.optionalText("description")
        scores = try Self.scores(top.object("scores"))
        grades = try Self.grades(top.object("grades"))
        let grading = try Self.grading(top.object("grading"))
        self.grading = grading
        if grading.periods == .quarterly, from.number % 3 != 1 {
            throw DomainError.invalid("from", "\(from) does not start a quarter, and grading.periods is quarterly")
        }
        quota = try Self.quota(top.object("quota"), ofPeriod: true)
        year = try Self.year(top.object("year"))
        deadlines = try Self.deadlines(top.object("deadlines"))
        escalation = try Self.escalation(top.object("escalation"))
    }

    private static func scores(_ fields: RuleFields) throws(DomainError) -> ScoreRules {
        try fields.only(["decimals", "parts"])
        let decimals = try fields.optionalInteger("decimals") ?? 1
        guard (0...1).contains(decimals) else { throw DomainError.invalid(fields.field("decimals"), "must be 0 or 1") }
        var parts: [ScorePart] = []
        for item in try fields.objects("parts") {
            try item.only(["key", "name", "min", "max", "required"])
            let key = try item.text("key")
            guard RecordCode.isValid(key) else { throw DomainError.invalid(item.field("key"), "\(key) is not a key: use 1 to 64 letters, digits, _ . -") }
            guard !parts.contains(where: { $0.key == key }) else { throw DomainError.invalid(item.field("key"), "\(key) appears twice") }
            let min = try points(item, "min", decimals: decimals)
            let max = try points(item, "max", decimals: decimals)
            guard max > min else { throw DomainError.invalid(item.field("max"), "must be above min (\(min))") }
            parts.append(ScorePart(key: key, name: try item.optionalText("name") ?? key, min: min, max: max, required: try item.optionalFlag("required") ?? true))
        }
        guard !parts.isEmpty else { throw DomainError.invalid(fields.field("parts"), "must list at least one part") }
        let rules = ScoreRules(decimals: decimals, parts: parts)
        guard rules.maximum == maximumScore else {
            throw DomainError.invalid(fields.field("parts"), "the parts' maxima add up to \(rules.maximum), not \(maximumScore)")
        }
        return rules
    }

    /// A score or an edge in 0…100 with the allowed decimals.
    private static func points(_ fields: RuleFields, _ key: String, decimals: Int) throws(DomainError) -> Points {
        let value = try fields.number(key)
        guard value >= 0, value <= Double(maximumScore.tenths) / 10 else {
            throw DomainError.invalid(fields.field(key), "must be between 0 and \(maximumScore)")
        }
        guard let points = Points.exactly(value), decimals == 1 || points.tenths % 10 == 0 else {
            throw DomainError.invalid(fields.field(key), decimals == 0 ? "\(value) must be a whole number" : "\(value) has more than one decimal")
        }
        return points
    }

    private static func grades(_ fields: RuleFields) throws(DomainError) -> GradeBands {
        try fields.only(Grade.allCases.map(\.rawValue))
        var bands: [GradeBands.Band] = []
        for grade in Grade.allCases {
            let band = try fields.object(grade.rawValue)
            try band.only(["min", "below"])
            let min = try points(band, "min", decimals: 1)
            var below: Points?
            if try band.optionalNumber("below") != nil { below = try points(band, "below", decimals: 1) }
            bands.append(GradeBands.Band(grade: grade, min: min, below: below))
        }
        let path = fields.path
        for (higher, lower) in zip(bands, bands.dropFirst()) {
            guard lower.min < higher.min else {
                throw DomainError.invalid("\(path).\(lower.grade).min", "\(lower.min) must be below \(path).\(higher.grade).min (\(higher.min))")
            }
        }
        if let top = bands.first, top.below != nil {
            throw DomainError.invalid("\(path).\(top.grade).below", "the top band has no upper edge: it runs to the maximum score")
        }
        for (higher, lower) in zip(bands, bands.dropFirst()) {
            let field = "\(path).\(lower.grade).below"
            guard let below = lower.below else { throw DomainError.invalid(field, "required (\(path).\(higher.grade).min is \(higher.min))") }
            if below < higher.min { throw DomainError.invalid(field, "\(below) leaves a gap up to \(path).\(higher.grade).min (\(higher.min))") }
            if below > higher.min { throw DomainError.invalid(field, "\(below) overlaps \(path).\(higher.grade), which starts at \(higher.min)") }
        }
        if let bottom = bands.last, bottom.min != .zero {
            throw DomainError.invalid("\(path).\(bottom.grade).min", "the lowest band must start at 0, not \(bottom.min)")
        }
        return GradeBands(bands: bands)
    }

    private static func grading(_ fields: RuleFields) throws(DomainError) -> GradingRule {
        try fields.only(["periods", "last_quarter_in_year", "source"])
        let periods: GradedPeriods = try fields.choice("periods")
        let folded = try fields.optionalFlag("last_quarter_in_year")
        if periods == .monthly, folded == true {
            throw DomainError.invalid(fields.field("last_quarter_in_year"), "only with quarterly grading")
        }
        return GradingRule(periods: periods, lastQuarterInYear: periods == .quarterly && (folded ?? true), source: try fields.optionalText("source"))
    }

    private static func quota(_ fields: RuleFields, ofPeriod: Bool) throws(DomainError) -> QuotaRule {
        try fields.only(ofPeriod ? ["grade", "share", "outstanding_share", "of", "group", "rounding", "source"] : ["grade", "share", "of", "group", "rounding", "source"])
        let grade: Grade = try fields.choice("grade", default: .A)
        let share = try self.share(fields, "share")
        var outstanding: Share?
        if try fields.optionalNumber("outstanding_share") != nil { outstanding = try self.share(fields, "outstanding_share") }
        if let outstanding, outstanding < share {
            throw DomainError.invalid(fields.field("outstanding_share"), "\(outstanding) is below \(fields.field("share")) (\(share))")
        }
        let ofText = try fields.optionalText("of")?.trimmingSpaces ?? "graded"
        let base: QuotaBase
        if ofText == "graded" {
            base = .graded
        } else if let ofGrade = Grade(rawValue: ofText), ofGrade != grade {
            base = .grade(ofGrade)
        } else {
            throw DomainError.invalid(fields.field("of"), "\(ofText) is not graded or a grade other than \(grade)")
        }
        if ofPeriod, base != .graded {
            throw DomainError.invalid(fields.field("of"), "a period's quota counts over the graded cadres: graded, not \(ofText)")
        }
        return QuotaRule(
            grade: grade, share: share, outstandingShare: outstanding, of: base,
            group: try fields.choice("group"), rounding: try fields.choice("rounding", default: .floor),
            source: try fields.optionalText("source")
        )
    }

    private static func share(_ fields: RuleFields, _ key: String) throws(DomainError) -> Share {
        let value = try fields.number(key)
        guard (0...1).contains(value) else { throw DomainError.invalid(fields.field(key), "must be between 0 and 1") }
        guard let share = Share.exactly(value) else { throw DomainError.invalid(fields.field(key), "\(value) has more than four decimals") }
        return share
    }

    private static func year(_ fields: RuleFields) throws(DomainError) -> YearRule {
        try fields.only(["score", "disciplined_grade", "quota", "source"])
        return YearRule(
            score: try fields.choice("score"), disciplinedGrade: try fields.choice("disciplined_grade", default: .D),
            quota: try quota(fields.object("quota"), ofPeriod: false), source: try fields.optionalText("source")
        )
    }

    private static func deadlines(_ fields: RuleFields) throws(DomainError) -> DeadlineDays {
        let keys = ["self", "review", "approve", "close"]
        try fields.only(keys)
        var days: [Int] = []
        for key in keys {
            let day = try fields.integer(key)
            guard (1...28).contains(day) else { throw DomainError.invalid(fields.field(key), "\(day) is not a day 1…28 (every month has those)") }
            if let previous = days.last, day <= previous {
                throw DomainError.invalid(fields.field(key), "day \(day) must come after \(fields.field(keys[days.count - 1])) (day \(previous))")
            }
            days.append(day)
        }
        return DeadlineDays(selfAssessment: days[0], review: days[1], approval: days[2], close: days[3])
    }

    private static func escalation(_ fields: RuleFields) throws(DomainError) -> EscalationThresholds {
        try fields.only(["due_soon_days", "late_after_days", "seriously_late_after_days"])
        let soon = try fields.integer("due_soon_days")
        guard (0...28).contains(soon) else { throw DomainError.invalid(fields.field("due_soon_days"), "must be between 0 and 28") }
        let late = try fields.integer("late_after_days")
        guard (1...28).contains(late) else {
            throw DomainError.invalid(fields.field("late_after_days"), "must be between 1 and 28 (a step is late only after its deadline day)")
        }
        let serious = try fields.integer("seriously_late_after_days")
        guard serious > late, serious <= 60 else {
            throw DomainError.invalid(fields.field("seriously_late_after_days"), "must be more than late_after_days (\(late)) and at most 60")
        }
        return EscalationThresholds(dueSoonDays: soon, lateAfterDays: late, seriouslyLateAfterDays: serious)
    }
}
