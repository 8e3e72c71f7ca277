/// The four grades of an assessment, best first (QĐ 3814-QĐ/TU; the same four in the
/// annual rules).
public enum Grade: String, Sendable, CaseIterable, Comparable {
    /// Hoàn thành xuất sắc nhiệm vụ (excellent).
    case A
    /// Hoàn thành tốt nhiệm vụ (good).
    case B
    /// Hoàn thành nhiệm vụ (completed).
    case C
    /// Không hoàn thành nhiệm vụ (not completed).
    case D

    /// The Vietnamese name used in reports.
    public var vietnameseName: String {
        switch self {
        case .A: return "Hoàn thành xuất sắc nhiệm vụ"
        case .B: return "Hoàn thành tốt nhiệm vụ"
        case .C: return "Hoàn thành nhiệm vụ"
        case .D: return "Không hoàn thành nhiệm vụ"
        }
    }

    /// Better grades sort first: `A < B`.
    public static func < (lhs: Grade, rhs: Grade) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        Grade.allCases.firstIndex(of: self) ?? 0
    }
}

/// The score bands of the grades: each band from its `min` (included) to the next band's
/// `min` (excluded), the top band up to the maximum score. The rule set checks that they
/// cover 0 up to the maximum without gap or overlap, best grade highest.
public struct GradeBands: Sendable, Equatable {
    /// One grade's band.
    public struct Band: Sendable, Equatable {
        /// The grade.
        public var grade: Grade
        /// The lowest total of the band (included).
        public var min: Points
        /// The first total above the band (excluded); nil for the top band.
        public var below: Points?

        /// A band from its edges.
        public init(grade: Grade, min: Points, below: Points?) {
            self.grade = grade
            self.min = min
            self.below = below
        }
    }

    /// The bands, best grade (highest band) first.
    public var bands: [Band]

    /// Bands as given, best first.
    public init(bands: [Band]) {
        self.bands = bands
    }

    /// The grade of a total: the highest band whose `min` it reaches (the lowest band
    /// below that).
    public func grade(for total: Points) -> Grade {
        bands.first(where: { total >= $0.min })?.grade ?? bands.last?.grade ?? .D
    }

    /// The band of a grade.
    public func band(_ grade: Grade) -> Band? {
        bands.first(where: { $0.grade == grade })
    }
}
