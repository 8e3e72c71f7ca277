/// The kinds of assignment (Quy định 65-QĐ/TW, 2022; NĐ 138/2020), with the words the
/// protocol uses for them.
public enum AssignmentKind: String, Sendable, CaseIterable {
    /// Luân chuyển: a planned move of a cadre in the planning pool, at least 36 months.
    case rotation
    /// Điều động: a move for good, with no end date.
    case transfer
    /// Biệt phái: a loan to another unit, at most 36 months, on the sending unit's payroll.
    case secondment
    /// Chuyển đổi vị trí công tác: a periodic change of position.
    case positionChange = "position-change"

    /// The Vietnamese name, for reports.
    public var vietnameseName: String {
        switch self {
        case .rotation: return "luân chuyển"
        case .transfer: return "điều động"
        case .secondment: return "biệt phái"
        case .positionChange: return "chuyển đổi vị trí công tác"
        }
    }
}

/// The limits of assignments that are configuration (`[assignment]`), with the defaults of
/// Quy định 65-QĐ/TW and NĐ 138/2020.
public struct AssignmentPolicy: Sendable, Equatable {
    /// A rotation lasts at least this many months.
    public var rotationMinimumMonths: Int
    /// A rotated cadre has at least this many months before the retirement age at the start.
    public var rotationMonthsBeforeRetirement: Int
    /// A secondment lasts at most this many months (extensions included).
    public var secondmentMaximumMonths: Int
    /// No secondment for a woman nursing a child younger than this many months.
    public var nursingChildMonths: Int

    /// A policy from its parts.
    public init(rotationMinimumMonths: Int, rotationMonthsBeforeRetirement: Int, secondmentMaximumMonths: Int, nursingChildMonths: Int) {
        self.rotationMinimumMonths = rotationMinimumMonths
        self.rotationMonthsBeforeRetirement = rotationMonthsBeforeRetirement
        self.secondmentMaximumMonths = secondmentMaximumMonths
        self.nursingChildMonths = nursingChildMonths
    }

    /// Rotations of 36 months at least with 10 years left before retirement; secondments
    /// of 36 months at most, never for a woman pregnant or nursing a child under 36 months.
    public static let standard = AssignmentPolicy(
        rotationMinimumMonths: 36, rotationMonthsBeforeRetirement: 120, secondmentMaximumMonths: 36, nursingChildMonths: 36
    )
}
