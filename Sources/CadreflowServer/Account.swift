/// The roles of the admin protocol.
public enum Role: String, Sendable, CaseIterable {
    /// Users and configuration; everything.
    case admin
    /// Organisation data, cycles, exams, rotations, reports in its scope.
    case organizer
    /// Assessments of cadres in its unit subtree.
    case manager
    /// Read-only reports in its scope.
    case viewer
}

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

    /// True when a unit path lies in this account's subtree.
    public func covers(unitPath path: String) -> Bool {
        guard let scope = unitPath else { return true }
        return path == scope || path.hasPrefix(scope + "/")
    }
}
