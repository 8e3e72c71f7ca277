/// The unit-subtree rule, once: an account whose scope is a unit sees and changes that
/// unit and everything below it, and nothing else.
///
/// A unit's path is the codes from the root joined by `/` (`HN/HN.BD/P_HANGBAC`). Codes
/// never hold `/` (``RecordCode``), so "the path is the scope or starts with the scope
/// and a `/`" is exact, provided the prefix is compared literally: a `_` or `%` in a code
/// is a character, not a wildcard. ``sqlCondition(path:scope:)`` is the same rule in SQL
/// (`starts_with`, never `LIKE`).
public struct UnitScope: Sendable, Equatable {
    /// The scope unit's path; nil is everything (an admin).
    public var path: String?

    /// A scope rooted at a unit's path, or everything when nil.
    public init(path: String?) {
        self.path = path
    }

    /// Everything.
    public static let everything = UnitScope(path: nil)

    /// True when the unit at `unitPath` lies in this scope.
    public func covers(_ unitPath: String) -> Bool {
        guard let path else { return true }
        return unitPath == path || unitPath.hasPrefix(path + "/")
    }

    /// The rule as a SQL condition on a path column and a text parameter holding the
    /// scope's path (NULL: everything), e.g. `sqlCondition(path: "u.path", scope: "$1")`.
    public static func sqlCondition(path column: String, scope parameter: String) -> String {
        "(\(parameter)::text IS NULL OR \(column) = \(parameter)::text OR starts_with(\(column), \(parameter)::text || '/'))"
    }

    /// The path of a child unit under a parent's path.
    public static func childPath(parent: String?, code: String) -> String {
        parent.map { $0 + "/" + code } ?? code
    }
}

/// Who asks: the account's login, role and scope, and the cadre it belongs to.
public struct Requester: Sendable, Equatable {
    /// The login.
    public var login: String
    /// The role.
    public var role: Role
    /// The unit subtree the account may see and change.
    public var scope: UnitScope
    /// The scope unit's code (nil for an admin).
    public var unit: String?
    /// Whether the account heads its unit.
    public var isHead: Bool
    /// The cadre the account belongs to, if any: it then acts as the `cadre` actor for that cadre alone.
    public var cadre: String?

    /// A requester from its parts.
    public init(login: String, role: Role, scope: UnitScope, unit: String? = nil, isHead: Bool = false, cadre: String? = nil) {
        self.login = login
        self.role = role
        self.scope = scope
        self.unit = unit
        self.isHead = isHead
        self.cadre = cadre
    }

    /// `DomainError.denied` unless the unit at `path` lies in this requester's scope.
    public func requireCovers(unit code: String, path: String) throws(DomainError) {
        guard scope.covers(path) else { throw DomainError(.denied, "unit \(code) is outside your scope") }
    }

    /// The workflow role this requester acts in on `cadre`'s own record: `cadre` for the
    /// account bound to that cadre, otherwise the account's role.
    public func workflowRole(on cadre: String) -> String {
        self.cadre == cadre ? "cadre" : role.rawValue
    }
}
