/// Splits a whole number in proportion to weights (largest-remainder method), with ties
/// broken by position so that the result never depends on anything but the inputs.
enum DemoApportionment {
    /// Non-negative counts, one per weight, summing to `total` (all zero when no weight is positive).
    static func split(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0, sum > 0 else { return Array(repeating: 0, count: weights.count) }
        var counts: [Int] = []
        var remainders: [(fraction: Double, index: Int)] = []
        counts.reserveCapacity(weights.count)
        remainders.reserveCapacity(weights.count)
        for (index, weight) in weights.enumerated() {
            let exact = Double(total) * max(0, weight) / sum
            let whole = Int(exact.rounded(.down))
            counts.append(whole)
            if weight > 0 { remainders.append((exact - Double(whole), index)) }
        }
        var left = total - counts.reduce(0, +)
        remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.index < $1.index }
        var cursor = 0
        while left > 0, !remainders.isEmpty {
            counts[remainders[cursor % remainders.count].index] += 1
            left -= 1
            cursor += 1
        }
        return counts
    }
}
