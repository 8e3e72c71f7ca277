import CadreflowPostgres
import Foundation

/// What a guard or effect hook sees: the transaction's connection, the instance, the plan.
///
/// Hooks run on the engine's connection thread inside the transition's transaction:
/// their queries see the locked instance, and their writes commit or roll back with it.
public struct HookContext {
    /// The connection of the open transaction.
    public let connection: PostgresConnection
    /// The instance before the move (nil for a bulk transition).
    public let instance: InstanceSnapshot?
    /// For a bulk transition: the number of instances it moves.
    public let bulkCount: Int?
    /// The transition's name.
    public let transition: String
    /// The state before and after (for bulk: after only is meaningful).
    public let from: String
    /// The state after.
    public let to: String
    /// The fields supplied with the command.
    public let fields: [String: String]
    /// Who acts.
    public let actor: Actor
    /// The engine's clock reading for this transition.
    public let now: Date
}

/// A guard hook's "no", with a message for the caller.
public struct GuardRefusal: Error, Sendable {
    /// Why the guard refused.
    public var message: String

    /// A refusal with a message.
    public init(_ message: String) {
        self.message = message
    }
}

/// The domain code named by definitions: guards that may refuse a transition, effects
/// that write alongside it. Definitions naming a hook not registered here are refused.
public struct WorkflowHooks: Sendable {
    /// A guard: throw ``GuardRefusal`` to refuse the transition.
    public typealias Guard = @Sendable (HookContext) throws -> Void
    /// An effect: write through `context.connection`; throwing undoes the transition.
    public typealias Effect = @Sendable (HookContext) throws -> Void

    /// Guards by name.
    public var guards: [String: Guard]
    /// Effects by name.
    public var effects: [String: Effect]

    /// Hooks from dictionaries.
    public init(guards: [String: Guard] = [:], effects: [String: Effect] = [:]) {
        self.guards = guards
        self.effects = effects
    }

    /// The registered names, for validating definitions.
    public var names: HookNames {
        HookNames(guards: Set(guards.keys), effects: Set(effects.keys))
    }

    /// Adds another set of hooks (a domain module's) to these.
    public func merging(_ other: WorkflowHooks) -> WorkflowHooks {
        WorkflowHooks(
            guards: guards.merging(other.guards) { _, new in new },
            effects: effects.merging(other.effects) { _, new in new }
        )
    }
}
