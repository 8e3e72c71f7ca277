/// Draws hometowns (locality codes): mostly an old commune or district of Hanoi, often the
/// cadre's own commune or a nearby one, else a province that sends many people to Hanoi.
struct DemoHometowns: Sendable {
    /// Old commune codes of each district, in reference order.
    private let communesByDistrict: [[String]]
    private let allCommunes: [String]
    private let districtCodes: [String]

    /// Province codes weighted by how many Hanoi civil servants plausibly come from them.
    private static let provinces = WeightedTable([
        ("NAMDINH", 14), ("THAIBINH", 14), ("THANHHOA", 12), ("HAIDUONG", 10), ("NGHEAN", 10),
        ("HUNGYEN", 9), ("HANAM", 7), ("BACNINH", 7), ("PHUTHO", 7), ("VINHPHUC", 6), ("NINHBINH", 6),
        ("HATINH", 5), ("HAIPHONG", 3), ("BACGIANG", 3), ("HOABINH", 3), ("THAINGUYEN", 2), ("QUANGNINH", 1),
    ])

    init(reference: HanoiReference) {
        var index: [String: Int] = [:]
        for (position, district) in reference.districts.enumerated() { index[district.code] = position }
        var byDistrict = Array(repeating: [String](), count: reference.districts.count)
        for unit in reference.oldUnits {
            if let position = index[unit.districtCode] { byDistrict[position].append(unit.code) }
        }
        communesByDistrict = byDistrict
        allCommunes = reference.oldUnits.map(\.code)
        districtCodes = reference.districts.map(\.code)
    }

    private func anywhereInHanoi(using generator: inout some RandomNumberGenerator) -> String {
        if generator.chance(0.85), let commune = generator.element(of: allCommunes) { return commune }
        return generator.element(of: districtCodes) ?? DemoCityBodies.root
    }

    private func province(using generator: inout some RandomNumberGenerator) -> String {
        Self.provinces.pick(using: &generator) ?? "NAMDINH"
    }

    /// A hometown for a cadre of an old commune (`commune` in district `district`).
    func forCommune(_ commune: String, district: Int, using generator: inout some RandomNumberGenerator) -> String {
        let roll = generator.unit()
        if roll < 0.30 { return commune }
        if roll < 0.50, district < communesByDistrict.count {
            let neighbours = communesByDistrict[district]
            if let own = neighbours.firstIndex(of: commune) {
                let offset = generator.between(1, 3) * (generator.chance(0.5) ? 1 : -1)
                let nearby = min(max(own + offset, 0), neighbours.count - 1)
                return neighbours[nearby]
            }
            return generator.element(of: neighbours) ?? commune
        }
        if roll < 0.70 { return anywhereInHanoi(using: &generator) }
        return province(using: &generator)
    }

    /// A hometown for a cadre of district `district`.
    func forDistrict(_ district: Int, using generator: inout some RandomNumberGenerator) -> String {
        let roll = generator.unit()
        if roll < 0.35, district < communesByDistrict.count, let commune = generator.element(of: communesByDistrict[district]) {
            return commune
        }
        if roll < 0.45, district < districtCodes.count { return districtCodes[district] }
        if roll < 0.70 { return anywhereInHanoi(using: &generator) }
        return province(using: &generator)
    }

    /// A hometown for a cadre of a city body.
    func forCity(using generator: inout some RandomNumberGenerator) -> String {
        generator.chance(0.66) ? anywhereInHanoi(using: &generator) : province(using: &generator)
    }
}
