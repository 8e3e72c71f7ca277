/// Draws built only on `next()`, so that a seed gives the same output whatever the
/// standard library's own `random(in:using:)` algorithms do in other Swift versions.
extension RandomNumberGenerator {
    /// A uniform integer in `0..<count` (`0` when `count <= 0`).
    mutating func below(_ count: Int) -> Int {
        guard count > 1 else { return 0 }
        return Int(truncatingIfNeeded: UInt64(count).multipliedFullWidth(by: next()).high)
    }

    /// A uniform integer in `lower...upper` (`lower` when the range is empty).
    mutating func between(_ lower: Int, _ upper: Int) -> Int {
        upper > lower ? lower + below(upper - lower + 1) : lower
    }

    /// A uniform number in `0..<1` with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A uniform element of a non-empty array (`nil` when it is empty).
    mutating func element<Element>(of array: [Element]) -> Element? {
        array.isEmpty ? nil : array[below(array.count)]
    }
}

/// Items with integer weights, drawn in proportion to their weight.
struct WeightedTable<Item: Sendable>: Sendable {
    let items: [Item]
    private let cumulative: [Int]

    /// A table of `(item, weight)` pairs; pairs with a weight below 1 are dropped.
    init(_ pairs: [(Item, Int)]) {
        var items: [Item] = []
        var cumulative: [Int] = []
        var total = 0
        for (item, weight) in pairs where weight > 0 {
            total += weight
            items.append(item)
            cumulative.append(total)
        }
        self.items = items
        self.cumulative = cumulative
    }

    /// The sum of all weights.
    var totalWeight: Int { cumulative.last ?? 0 }

    /// The weight of the item at `index`.
    func weight(at index: Int) -> Int {
        cumulative[index] - (index == 0 ? 0 : cumulative[index - 1])
    }

    /// An item drawn in proportion to its weight (`nil` for an empty table).
    func pick(using generator: inout some RandomNumberGenerator) -> Item? {
        guard let total = cumulative.last else { return nil }
        let ticket = generator.below(total)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > ticket { high = middle } else { low = middle + 1 }
        }
        return items[low]
    }
}
