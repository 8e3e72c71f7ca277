import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// Rotation, transfer, secondment and periodic position change (mission.md section 3).
/// An assignment is an `assignment` workflow instance keyed `assignment/<id>` (`A17`),
/// whose data holds the cadre, the kind, the sending and receiving units, the start and
/// end dates, the length, the new and the former position and the decision. Every
/// command runs in the server's transaction (audit row and `idem=` with it) and moves the
/// instance through ``EngineTransaction/move(_:transition:actor:fields:reason:expectedVersion:requestID:)``,
/// so the hooks (``AssignmentHooks``: the checks, the cadre's moves) run in it too.
public struct AssignmentService: Sendable {
    let pool: PostgresPool
    let engine: WorkflowEngine
    /// The configured limits.
    public let policy: AssignmentPolicy
    let calendar: DomainCalendar
    let retirement: RetirementSchedule

    /// A service on the pool and the engine.
    public init(pool: PostgresPool, engine: WorkflowEngine, policy: AssignmentPolicy, calendar: DomainCalendar, retirement: RetirementSchedule) {
        self.pool = pool
        self.engine = engine
        self.policy = policy
        self.calendar = calendar
        self.retirement = retirement
    }

    static let workflow = "assignment"

    /// `assignment/A17`.
    public static func key(_ id: String) -> String { "assignment/\(id)" }

    /// An assignment as read, with both units' paths.
    struct Assignment {
        var id: String
        var version: Int64
        var state: String
        var data: [String: String]
        var kind: AssignmentKind
        var fromPath: String
        var toPath: String
    }

    /// Reads an assignment (locked `FOR UPDATE` inside a transaction when `locking`), checked
    /// against the requester's scope: an organizer's must hold both units; a reader's either.
    func assignment(_ id: String, by requester: Requester, on connection: PostgresConnection, locking: Bool = false, writing: Bool = true) throws -> Assignment {
        let id = try RecordCode.validate(id, field: "id")
        guard let row = try connection.query(
            """
            SELECT i.version, i.state, i.data::text, coalesce(f.path, ''), coalesce(t.path, '')
            FROM workflow_instances i
            LEFT JOIN units f ON f.code = i.data->>'from_unit' LEFT JOIN units t ON t.code = i.data->>'to_unit'
            WHERE i.key = $1 AND i.workflow = 'assignment' \(locking ? "FOR UPDATE OF i" : "")
            """,
            Self.key(id)
        ).rows.first else {
            throw DomainError(.notFound, "assignment \(id) does not exist", field: "id")
        }
        let data = try JSONDecoder().decode([String: String].self, from: Data(try row.decode(2, as: String.self).utf8))
        let assignment = Assignment(
            id: id, version: try row.decode(0), state: try row.decode(1), data: data,
            kind: data["kind"].flatMap(AssignmentKind.init(rawValue:)) ?? .transfer, fromPath: try row.decode(3), toPath: try row.decode(4)
        )
        let from = data["from_unit"] ?? "", to = data["to_unit"] ?? ""
        if writing {
            try requester.requireCovers(unit: from, path: assignment.fromPath)
            try requester.requireCovers(unit: to, path: assignment.toPath)
        } else if !requester.scope.covers(assignment.fromPath) && !requester.scope.covers(assignment.toPath) {
            throw DomainError(.denied, "units \(from) and \(to) are outside your scope")
        }
        return assignment
    }

    /// The organizer as the engine's actor.
    static func actor(_ requester: Requester) -> Actor {
        Actor(name: requester.login, role: "organizer")
    }

    /// `reason` trimmed, or `invalid` naming it.
    static func required(_ text: String?, _ field: String, _ why: String) throws(DomainError) -> String {
        guard let text = text?.trimmingSpaces, !text.isEmpty else { throw DomainError.invalid(field, "required: \(why)") }
        return text
    }
}
