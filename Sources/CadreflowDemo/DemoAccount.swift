/// A console account the demo creates: the city organizer or a unit's head manager.
public struct DemoAccount: Sendable, Equatable {
    /// The login, matching `^[A-Za-z0-9_.@-]{1,64}$` (e.g. `head.p_hoankiem`).
    public let login: String
    /// `organizer` or `manager`.
    public let role: String
    /// The code of the unit the account belongs to.
    public let unit: String
    /// Whether the account is the unit's head.
    public let isHead: Bool

    /// An account with the given fields.
    public init(login: String, role: String, unit: String, isHead: Bool) {
        self.login = login
        self.role = role
        self.unit = unit
        self.isHead = isHead
    }

    /// The organizer of the whole city, `tochuc.hanoi`, on the root unit.
    static let organizer = DemoAccount(login: "tochuc.hanoi", role: "organizer", unit: DemoCityBodies.root, isHead: false)

    /// The head manager of `unit`: `head.` + the unit code in lower case.
    static func head(of unit: String) -> DemoAccount {
        DemoAccount(login: "head." + unit.lowercased(), role: "manager", unit: unit, isHead: true)
    }
}
