/// A workflow as data: states, transitions and timers, loaded from a file in
/// `config/workflows/` and validated before the service starts.
public struct WorkflowDefinition: Sendable, Equatable, Codable {
    /// The workflow's name, e.g. `assessment`.
    public var name: String
    /// The definition's version; an instance keeps the version it started with.
    public var version: Int
    /// What the workflow is for.
    public var description: String
    /// Every state, in a readable order.
    public var states: [String]
    /// The state new instances start in.
    public var initial: String
    /// States with no way out; an instance there is done.
    public var final: [String]
    /// The moves between states.
    public var transitions: [TransitionDefinition]
    /// Moves the engine makes by itself when time passes.
    public var timers: [TimerDefinition]

    /// A definition from its parts (normally loaded from a file).
    public init(
        name: String, version: Int, description: String = "", states: [String], initial: String,
        final: [String], transitions: [TransitionDefinition], timers: [TimerDefinition] = []
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.states = states
        self.initial = initial
        self.final = final
        self.transitions = transitions
        self.timers = timers
    }

    /// The transition with a name.
    public func transition(named name: String) -> TransitionDefinition? {
        transitions.first { $0.name == name }
    }

    /// True for a final state.
    public func isFinal(_ state: String) -> Bool {
        final.contains(state)
    }

    /// The states a transition may start from (`*` means every non-final state).
    public func sources(of transition: TransitionDefinition) -> [String] {
        transition.from.contains(TransitionDefinition.anyState)
            ? states.filter { !isFinal($0) }
            : transition.from
    }

    /// The transitions legal from a state, for a role when one is given.
    public func transitions(from state: String, role: String? = nil) -> [TransitionDefinition] {
        transitions.filter { transition in
            sources(of: transition).contains(state) && (role.map { transition.allows(role: $0) } ?? true)
        }
    }
}

/// One named move: from some states to one state, for some roles, with required fields
/// and optional guard and effect hooks (named; the domain registers them).
public struct TransitionDefinition: Sendable, Equatable, Codable {
    /// `*` in `from`: any non-final state.
    public static let anyState = "*"

    /// The name callers use.
    public var name: String
    /// The states it may start from.
    public var from: [String]
    /// The state it leads to (may equal a source: a self-loop that records an event).
    public var to: String
    /// The roles allowed to make it (`system` for the engine's timers and schedules).
    public var roles: [String]
    /// Fields the caller must supply.
    public var requires: [String]
    /// A domain check run before the move, inside its transaction.
    public var guardHook: String?
    /// Domain writes made in the same transaction as the move.
    public var effectHook: String?

    /// A transition from its parts.
    public init(
        name: String, from: [String], to: String, roles: [String], requires: [String] = [],
        guardHook: String? = nil, effectHook: String? = nil
    ) {
        self.name = name
        self.from = from
        self.to = to
        self.roles = roles
        self.requires = requires
        self.guardHook = guardHook
        self.effectHook = effectHook
    }

    /// Whether a role may make this transition (`admin` may make any that a person may).
    public func allows(role: String) -> Bool {
        roles.contains(role) || (role == "admin" && roles.contains { $0 != "system" })
    }

    enum CodingKeys: String, CodingKey {
        case name, from, to, roles, requires
        case guardHook = "guard"
        case effectHook = "effect"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        from = try container.decode([String].self, forKey: .from)
        to = try container.decode(String.self, forKey: .to)
        roles = try container.decode([String].self, forKey: .roles)
        requires = try container.decodeIfPresent([String].self, forKey: .requires) ?? []
        guardHook = try container.decodeIfPresent(String.self, forKey: .guardHook)
        effectHook = try container.decodeIfPresent(String.self, forKey: .effectHook)
    }
}

/// "After a duration in state S fire T", or "at the date in field F (plus an offset) fire T".
public struct TimerDefinition: Sendable, Equatable, Codable {
    /// The state the timer belongs to; leaving the state cancels it.
    public var state: String
    /// Seconds after entering the state (for `after` timers).
    public var afterSeconds: Int?
    /// The data field holding a date or timestamp (for `at_field` timers).
    public var atField: String?
    /// Seconds added to the field's time (negative: before it).
    public var offsetSeconds: Int
    /// The transition to fire, as the `system` role.
    public var fire: String

    /// A timer from its parts.
    public init(state: String, afterSeconds: Int? = nil, atField: String? = nil, offsetSeconds: Int = 0, fire: String) {
        self.state = state
        self.afterSeconds = afterSeconds
        self.atField = atField
        self.offsetSeconds = offsetSeconds
        self.fire = fire
    }
}
