import CadreflowPostgres

/// A request to move one instance.
public struct TransitionCommand: Sendable {
    /// The instance.
    public var instance: InstanceRef
    /// The transition's name.
    public var transition: String
    /// Who asks, and in which role.
    public var actor: Actor
    /// Fields supplied (merged into the instance data).
    public var fields: [String: String]
    /// Why, for history (required by some transitions through `requires`).
    public var reason: String?
    /// When set, the move happens only if the instance is still at this version.
    public var expectedVersion: Int64?
    /// Repeating a command with the same key returns the first result and writes nothing.
    public var idempotencyKey: String?
    /// The protocol request id, for history.
    public var requestID: String?
    /// Statements committed with the move, in the same batch (the command's audit row):
    /// they commit exactly when the move does.
    public var attachedWrites: [PostgresStatement]

    /// A command from its parts.
    public init(
        instance: InstanceRef, transition: String, actor: Actor, fields: [String: String] = [:],
        reason: String? = nil, expectedVersion: Int64? = nil, idempotencyKey: String? = nil, requestID: String? = nil,
        attachedWrites: [PostgresStatement] = []
    ) {
        self.attachedWrites = attachedWrites
        self.instance = instance
        self.transition = transition
        self.actor = actor
        self.fields = fields
        self.reason = reason
        self.expectedVersion = expectedVersion
        self.idempotencyKey = idempotencyKey
        self.requestID = requestID
    }
}

/// What a transition did.
public struct TransitionOutcome: Sendable, Equatable, Codable {
    /// The instance after the move.
    public var instance: InstanceSnapshot
    /// The state before.
    public var from: String
    /// The transition made.
    public var transition: String
    /// True when this is the stored first result of a repeated idempotency key.
    public var replayed: Bool
}
