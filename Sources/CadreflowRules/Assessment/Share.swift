/// A share between 0 and 1 held in basis points (`0.3` is 3000), so that a quota limit is
/// integer arithmetic: `0.29 × 100` is 29, not the 28.999… a `Double` gives.
public struct Share: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The share times 10,000.
    public let basisPoints: Int

    /// A share from basis points 0…10,000, or nil outside.
    public init?(basisPoints: Int) {
        guard (0...10_000).contains(basisPoints) else { return nil }
        self.basisPoints = basisPoints
    }

    /// A share of a rule-set file (`0.3`), or nil outside 0…1 or with more than four
    /// decimals.
    static func exactly(_ value: Double) -> Share? {
        guard value.isFinite, (0...1).contains(value) else { return nil }
        let scaled = (value * 10_000).rounded()
        guard abs(scaled - value * 10_000) < 1e-6 else { return nil }
        return Share(basisPoints: Int(scaled))
    }

    /// `share × count` as a whole number: rounded down (`floor`), or to the nearest with
    /// halves up (`halfUp`).
    public func of(_ count: Int, rounding: QuotaRounding) -> Int {
        let product = max(0, count) * basisPoints
        switch rounding {
        case .floor: return product / 10_000
        case .halfUp: return (product + 5_000) / 10_000
        }
    }

    public static func < (lhs: Share, rhs: Share) -> Bool {
        lhs.basisPoints < rhs.basisPoints
    }

    /// As a percentage without trailing zeros: `30%`, `12.5%`, `0.25%`.
    public var description: String {
        let whole = basisPoints / 100
        var decimals = String(basisPoints % 100)
        if decimals.count < 2 { decimals = "0" + decimals }
        while decimals.last == "0" { decimals.removeLast() }
        return decimals.isEmpty ? "\(whole)%" : "\(whole).\(decimals)%"
    }
}
