/// How one cadre's month goes in the demo: mostly self-assessed, reviewed and approved in
/// time; a few exempt (on leave), a few returned once and resubmitted, a few late (no
/// self-assessment: the deadline timer makes them overdue), a few left unreviewed.
public enum DemoMonthOutcome: Sendable, Equatable {
    /// Self-assessed, reviewed with these parts (discipline, duties, bonus), approved.
    case approved(discipline: Int, duties: Int, bonus: Int, returnedFirst: Bool)
    /// On leave: exempt with a reason.
    case exempt
    /// Never self-assessed: left pending (overdue once the deadline timer fires).
    case late
    /// Self-assessed, not yet reviewed.
    case unreviewed
}

/// The demo's months for one unit: each cadre's outcome, seeded (the same seed, month
/// and cadres give the same months) and kept within the monthly quota (at most
/// `quotaShare` of the unit's graded cadres at 90 or more: the rest of the would-be As are
/// scored just under).
public enum DemoMonthPlan {
    /// The outcomes of `cadres` (codes, in a fixed order) of one unit for one month.
    public static func outcomes(cadres: [String], month: String, seed: UInt64, quotaShare: Double = 0.30) -> [DemoMonthOutcome] {
        var generator = SplitMix64(seed: seed ^ month.hashValueStable ^ (cadres.first?.hashValueStable ?? 0))
        var outcomes: [DemoMonthOutcome] = cadres.map { _ in
            let draw = generator.unit()
            if draw < 0.02 { return .exempt }
            if draw < 0.05 { return .late }
            if draw < 0.06 { return .unreviewed }
            // Totals: about 15% A (≥ 90), 70% B, 14% C, 1% D, as the published figures run.
            let band = generator.unit()
            let total: Int
            switch band {
            case ..<0.15: total = generator.between(90, 98)
            case ..<0.85: total = generator.between(70, 89)
            case ..<0.99: total = generator.between(55, 69)
            default: total = generator.between(40, 49)
            }
            // Parts within their ranges that add up to the total: bonus 0–10 (at least what
            // 90 cannot hold), discipline 0–20, duties 0–70.
            let bonus = generator.between(max(0, total - 90), min(10, max(0, total - 80)))
            let rest = total - bonus
            let discipline = generator.between(max(0, rest - 70), min(20, rest))
            return .approved(discipline: discipline, duties: rest - discipline, bonus: bonus, returnedFirst: generator.chance(0.03))
        }
        // The quota: at most ⌊share × graded⌋ As among those approved.
        let graded = outcomes.filter { if case .approved = $0 { return true }; return false }.count
        var allowed = Int((quotaShare * Double(graded)).rounded(.down))
        for index in outcomes.indices {
            guard case .approved(let discipline, let duties, let bonus, let returned) = outcomes[index], discipline + duties + bonus >= 90 else { continue }
            if allowed > 0 {
                allowed -= 1
            } else {
                let lowered = max(0, 89 - discipline - bonus)
                outcomes[index] = .approved(discipline: discipline, duties: min(duties, lowered), bonus: bonus, returnedFirst: returned)
            }
        }
        return outcomes
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per run).
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
