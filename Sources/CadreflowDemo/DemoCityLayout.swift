/// All unit rows of the demo city, in file order: the city bodies, the 30 districts, the
/// old commune-level units (each after its district) and the 126 new units of 2025-07-01.
enum DemoCityLayout {
    static let reorganisationDay = "2025-07-01"

    /// The units, with sizes and vice-chair counts drawn from `generator`.
    static func units(reference: HanoiReference, using generator: inout some RandomNumberGenerator) -> [DemoUnit] {
        var units = DemoCityBodies.units()
        var communesPerDistrict = Array(repeating: 0, count: reference.districts.count)
        var districtIndex: [String: Int] = [:]
        for (index, district) in reference.districts.enumerated() { districtIndex[district.code] = index }
        for unit in reference.oldUnits {
            if let index = districtIndex[unit.districtCode] { communesPerDistrict[index] += 1 }
        }

        for (index, district) in reference.districts.enumerated() {
            let size = Double(max(1, communesPerDistrict[index])).squareRoot()
            units.append(DemoUnit(
                code: district.code, name: district.name, parent: DemoCityBodies.root, kind: district.kind,
                locality: district.code, validFrom: "", isOpen: false, group: .district,
                weight: size * (0.8 + 0.4 * generator.unit()),
                posts: DemoPositions.district(kind: district.kind, viceChairs: 1 + generator.below(2)),
                staffStyle: .office, districtIndex: index))
        }
        for unit in reference.oldUnits {
            units.append(DemoUnit(
                code: unit.code, name: unit.name, parent: unit.districtCode, kind: unit.kind,
                locality: unit.code, validFrom: "", isOpen: false, group: .commune,
                weight: 0.7 + 0.6 * generator.unit(),
                posts: DemoPositions.commune(kind: unit.kind, viceChairs: 1 + generator.below(2)),
                staffStyle: .commune, districtIndex: districtIndex[unit.districtCode]))
        }
        for unit in reference.newUnits {
            units.append(DemoUnit(
                code: unit.code, name: unit.name, parent: DemoCityBodies.root, kind: unit.kind,
                locality: unit.code, validFrom: reorganisationDay, isOpen: true, group: nil, weight: 0,
                posts: [], staffStyle: .commune, districtIndex: nil))
        }
        return units
    }
}
