/// An exam mark in hundredths of a point, 0…100, held as an integer so that means,
/// weighted totals and comparisons are exact. Marks have at most two decimals.
public struct Mark: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The mark times 100: `7550` is 75.5.
    public var hundredths: Int

    /// A mark from hundredths of a point.
    public init(hundredths: Int) {
        self.hundredths = hundredths
    }

    /// A mark as written: `75`, `75.5`, `75.25`, or `75,25` with a decimal comma (a
    /// spreadsheet in a Vietnamese locale); trailing zeros of the decimals do not count.
    /// - Throws: naming `field`: not a number, more than two decimals, outside 0…100.
    public static func parse(_ text: String, field: String = "score") throws(DomainError) -> Mark {
        let text = text.trimmingSpaces
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "," })
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              parts[0].count <= 6, let whole = Int(parts[0]) else {
            throw DomainError.invalid(field, "\(text.isEmpty ? "(empty)" : text) is not a number (write 75.5 or 75,5)")
        }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.last == "0" { fraction.removeLast() }
        guard fraction.count <= 2 else { throw DomainError.invalid(field, "\(text) has more than two decimals") }
        while fraction.count < 2 { fraction.append("0") }
        let mark = Mark(hundredths: whole * 100 + (Int(fraction) ?? 0))
        guard mark.hundredths <= 10_000 else { throw DomainError.invalid(field, "\(text) is outside 0–100") }
        return mark
    }

    /// The mean of marks, rounded to the hundredth (halves up); nil for none.
    public static func mean(_ marks: [Mark]) -> Mark? {
        guard !marks.isEmpty else { return nil }
        let sum = marks.reduce(0) { $0 + $1.hundredths }
        return Mark(hundredths: (sum * 2 + marks.count) / (marks.count * 2))
    }

    /// `weight`% of this mark plus the rest of `other`, rounded to the hundredth (halves up).
    public func weighted(_ weightPercent: Int, with other: Mark) -> Mark {
        let sum = hundredths * weightPercent + other.hundredths * (100 - weightPercent)
        return Mark(hundredths: (sum + 50) / 100)
    }

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        lhs.hundredths < rhs.hundredths
    }

    /// `75`, `75.5`, `75.25`.
    public var description: String {
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
