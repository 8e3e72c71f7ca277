/// A reproducible demo city for Cadreflow: Hanoi's city bodies, its 30 districts and 526
/// old commune-level units, the 126 units of 1 July 2025 that replace them, and `cadres`
/// generated cadres, written as an ORG IMPORT CSV file plus the console accounts to create.
///
/// The same `(cadres, seed)` and reference always give byte-identical output.
public struct DemoCityPlan: Sendable {
    /// The ORG IMPORT CSV file: the header, then unit rows, cadre rows and event rows
    /// (merges, then district closes). No line contains a line break.
    public let importLines: [String]
    /// The organizer `tochuc.hanoi`, then one head manager for every unit still open after
    /// 2025-07-01, in file order.
    public let accounts: [DemoAccount]
    /// The number of unit rows.
    public let units: Int
    /// The number of cadre rows.
    public let cadres: Int
    /// The number of event rows (merges and closes).
    public let events: Int

    /// A one-line summary, e.g. `726 units, 100000 cadres, 156 events, 183 accounts`.
    public var summary: String {
        "\(units) units, \(cadres) cadres, \(events) events, \(accounts.count) accounts"
    }

    /// The decision behind the merges of 1 July 2025.
    static let decision = "Nghị quyết 1656/NQ-UBTVQH15 ngày 16/6/2025"
    /// The decision behind the closing of the districts on 1 July 2025.
    static let closeDecision = decision + "; kết thúc hoạt động của đơn vị hành chính cấp huyện"
    /// The shares of cadres in old communes, districts and city bodies.
    static let groupShares: (commune: Double, district: Double) = (0.85, 0.09)

    /// Builds the city with `cadres` cadres (negative counts are treated as 0) from the
    /// generator seeded with `seed`.
    public static func make(cadres: Int, seed: UInt64, reference: HanoiReference) -> DemoCityPlan {
        var generator = SplitMix64(seed: seed)
        let total = max(0, cadres)
        let units = DemoCityLayout.units(reference: reference, using: &generator)
        let counts = cadreCounts(total, units: units)

        var lines: [String] = []
        lines.reserveCapacity(1 + units.count + total + reference.newUnits.count + reference.districts.count)
        lines.append(DemoImportRow.header)
        for unit in units {
            var row = DemoImportRow()
            row.type = "unit"
            row.code = unit.code
            row.name = unit.name
            row.parent = unit.parent
            row.kind = unit.kind
            row.locality = unit.locality
            row.validFrom = unit.validFrom
            lines.append(row.line)
        }

        let factory = DemoCadres(hometowns: DemoHometowns(reference: reference))
        let width = max(6, String(total).count)
        var number = 0
        for (unit, count) in zip(units, counts) where count > 0 {
            for slot in 0..<count {
                number += 1
                let post = slot < unit.posts.count
                    ? unit.posts[slot]
                    : DemoPositions.staff(unit.staffStyle, using: &generator)
                let row = factory.row(code: DemoCadres.code(number, width: width), unit: unit, post: post,
                                      using: &generator)
                lines.append(row.line)
            }
        }

        let eventLines = events(reference: reference)
        lines += eventLines
        let accounts = [DemoAccount.organizer] + units.filter(\.isOpen).map { DemoAccount.head(of: $0.code) }
        return DemoCityPlan(importLines: lines, accounts: accounts, units: units.count, cadres: number,
                            events: eventLines.count)
    }

    /// How many cadres each unit gets: the group shares, then each group split by weight.
    private static func cadreCounts(_ total: Int, units: [DemoUnit]) -> [Int] {
        let communeTotal = Int((Double(total) * groupShares.commune).rounded())
        let districtTotal = Int((Double(total) * groupShares.district).rounded())
        let groups: [(CadreGroup, Int)] = [
            (.commune, communeTotal),
            (.district, districtTotal),
            (.city, total - communeTotal - districtTotal),
        ]
        var counts = Array(repeating: 0, count: units.count)
        for (group, groupTotal) in groups {
            let members = units.indices.filter { units[$0].group == group }
            let split = DemoApportionment.split(groupTotal, weights: members.map { units[$0].weight })
            for (member, count) in zip(members, split) { counts[member] = count }
        }
        // A group with no units (an empty reference) hands its cadres to the city bodies.
        let missing = total - counts.reduce(0, +)
        if missing > 0, let first = units.firstIndex(where: { $0.group != nil }) { counts[first] += missing }
        return counts
    }

    /// One merge per new unit, in file order, then one close per district.
    private static func events(reference: HanoiReference) -> [String] {
        var lines: [String] = []
        var successor: [String: String] = [:]
        for unit in reference.newUnits {
            var row = DemoImportRow()
            row.type = "merge"
            row.code = unit.code
            row.from = unit.predecessors.joined(separator: ";")
            row.date = DemoCityLayout.reorganisationDay
            row.decision = decision
            lines.append(row.line)
            for predecessor in unit.predecessors where successor[predecessor] == nil {
                successor[predecessor] = unit.code
            }
        }
        for district in reference.districts {
            let first = reference.oldUnits.first { $0.districtCode == district.code }
            guard let first, let into = successor[first.code] else { continue }
            var row = DemoImportRow()
            row.type = "close"
            row.code = district.code
            row.into = into
            row.date = DemoCityLayout.reorganisationDay
            row.decision = closeDecision
            lines.append(row.line)
        }
        return lines
    }
}
