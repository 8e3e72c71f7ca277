/// Which share of the cadres a unit draws from.
enum CadreGroup: Sendable {
    /// The old commune-level units (about 85% of all cadres).
    case commune
    /// The old districts.
    case district
    /// The city party committee, people's committee, front and their boards and departments.
    case city
}

/// One unit row of the demo city, with what the cadre generator needs to staff it.
struct DemoUnit: Sendable {
    let code: String
    let name: String
    let parent: String
    let kind: String
    let locality: String
    let validFrom: String
    /// Still open after 2025-07-01 (gets a head account).
    let isOpen: Bool
    /// The share of cadres it draws from; `nil` for units without cadres of their own.
    let group: CadreGroup?
    /// Its size relative to the other units of its group.
    let weight: Double
    /// Named posts, filled first and in this order.
    let posts: [DemoPost]
    let staffStyle: StaffStyle
    /// For old communes and districts: the index of its district in the reference.
    let districtIndex: Int?
}
