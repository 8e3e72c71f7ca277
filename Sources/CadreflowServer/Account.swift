import CadreflowRules

/// A logged-in account: its role and the unit subtree it may see and change.
public struct Account: Sendable, Equatable {
    /// The login.
    public var login: String
    /// The role.
    public var role: Role
    /// The scope unit (nil for an admin: everything).
    public var unit: String?
    /// The scope unit's path (`HN/HN.BD`), for subtree checks; nil for an admin.
    public var unitPath: String?
    /// Whether the account heads its unit (approves).
    public var isHead: Bool
    /// The cadre the account belongs to, if any.
    public var cadre: String?

    /// An account from its parts.
    public init(login: String, role: Role, unit: String?, unitPath: String?, isHead: Bool, cadre: String?) {
        self.login = login
        self.role = role
        self.unit = unit
        self.unitPath = unitPath
        self.isHead = isHead
        self.cadre = cadre
    }

    /// The unit subtree the account covers (the one rule, ``UnitScope``).
    public var scope: UnitScope { UnitScope(path: role == .admin ? nil : unitPath) }

    /// The account as the domain sees who asks.
    public var requester: Requester {
        Requester(login: login, role: role, scope: scope, unit: unit, isHead: isHead, cadre: cadre)
    }
}
