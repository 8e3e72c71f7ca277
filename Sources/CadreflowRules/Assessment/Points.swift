/// A score in tenths of a point, held as an integer so that sums, means and band edges are
/// exact (`89.9 + 0.1` is `90`, never `89.99999`). Scores have at most one decimal.
public struct Points: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The score times ten: `655` is 65.5.
    public var tenths: Int

    /// A score from tenths of a point.
    public init(tenths: Int) {
        self.tenths = tenths
    }

    /// A whole number of points.
    public init(whole: Int) {
        tenths = whole * 10
    }

    /// Zero points.
    public static let zero = Points(tenths: 0)

    /// A score as entered: `65`, `65.5`, or `65,5` with a decimal comma (what a spreadsheet
    /// in a Vietnamese locale writes), an optional leading `-`. Trailing zeros of the
    /// decimals do not count (`65.50` is 65.5). `decimals` is 0 or 1.
    /// - Throws: naming `field`: not a number, or more decimals than allowed.
    public static func parse(_ text: String, field: String, decimals: Int = 1) throws(DomainError) -> Points {
        let text = text.trimmingSpaces
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits.removeFirst() }
        let parts = digits.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "," })
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              parts[0].count <= 12, let whole = Int(parts[0]) else {
            throw DomainError.invalid(field, "\(text.isEmpty ? "(empty)" : text) is not a number")
        }
        var fraction = parts.count == 2 ? parts[1] : ""
        while fraction.last == "0" { fraction.removeLast() }
        guard fraction.count <= decimals else {
            throw DomainError.invalid(field, decimals == 0 ? "\(text) must be a whole number" : "\(text) has more than one decimal")
        }
        let tenths = whole * 10 + (Int(fraction) ?? 0)
        return Points(tenths: negative ? -tenths : tenths)
    }

    /// A number of a rule-set file as points, or nil when it has more than one decimal
    /// (JSON numbers arrive as `Double`; 0.1 steps are recovered exactly).
    static func exactly(_ value: Double) -> Points? {
        guard value.isFinite, abs(value) < 1e12 else { return nil }
        let scaled = (value * 10).rounded()
        guard abs(scaled - value * 10) < 1e-6 else { return nil }
        return Points(tenths: Int(scaled))
    }

    /// The sum of two scores.
    public static func + (lhs: Points, rhs: Points) -> Points {
        Points(tenths: lhs.tenths + rhs.tenths)
    }

    public static func < (lhs: Points, rhs: Points) -> Bool {
        lhs.tenths < rhs.tenths
    }

    /// `65.5`, `70` (no `.0`), `-0.5`.
    public var description: String {
        let size = abs(tenths)
        let sign = tenths < 0 ? "-" : ""
        return size % 10 == 0 ? "\(sign)\(size / 10)" : "\(sign)\(size / 10).\(size % 10)"
    }
}
