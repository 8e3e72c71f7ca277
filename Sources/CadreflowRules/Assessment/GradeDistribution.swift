/// The grades of a group of cadres for a period as the board publishes them (seed 004:
/// "22.824/29.150 đảng viên được đánh giá; 3.318 hoàn thành xuất sắc nhiệm vụ (16,6%) …"):
/// how many were assessed of how many, and per grade the count and its share. The share of
/// A is taken of those graded B or better (as the published line does: 3,318 of 20,039 is
/// 16.6%); B or better, C and D are shares of those assessed (20,039, 2,764 and 21 of 22,824
/// are 87.8%, 12.1% and 0.1%).
public struct GradeDistribution: Sendable, Equatable {
    /// Cadres of the group with an assessment in the period.
    public var total: Int
    /// Those holding a result (a grade).
    public var assessed: Int
    /// Cadres per grade.
    public var counts: [Grade: Int]

    /// A distribution from its counts; `assessed` defaults to the sum of the grades.
    public init(total: Int, counts: [Grade: Int], assessed: Int? = nil) {
        self.total = total
        self.counts = counts
        self.assessed = assessed ?? counts.values.reduce(0, +)
    }

    /// The count of a grade.
    public subscript(grade: Grade) -> Int { counts[grade] ?? 0 }

    /// Graded A or B.
    public var bOrBetter: Int { self[.A] + self[.B] }

    /// The published shares in tenths of a percent (half up): A of B-or-better; B, B-or-better,
    /// C and D of the assessed. Nil when the base is empty.
    public func shareTenths(_ figure: Figure) -> Int? {
        switch figure {
        case .grade(.A): return Self.tenths(self[.A], of: bOrBetter)
        case .grade(let grade): return Self.tenths(self[grade], of: assessed)
        case .bOrBetter: return Self.tenths(bOrBetter, of: assessed)
        case .assessed: return Self.tenths(assessed, of: total)
        }
    }

    /// A figure of the line.
    public enum Figure: Sendable, Equatable {
        case assessed
        case grade(Grade)
        case bOrBetter
    }

    /// `part / whole` in tenths of a percent, rounded half up; nil for an empty whole.
    public static func tenths(_ part: Int, of whole: Int) -> Int? {
        guard whole > 0 else { return nil }
        return (part * 2_000 + whole) / (2 * whole)
    }

    /// Adds another group's counts (a subtree's total).
    public static func + (lhs: GradeDistribution, rhs: GradeDistribution) -> GradeDistribution {
        GradeDistribution(total: lhs.total + rhs.total, counts: lhs.counts.merging(rhs.counts, uniquingKeysWith: +), assessed: lhs.assessed + rhs.assessed)
    }
}
