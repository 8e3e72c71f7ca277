import CadreflowPostgres
import Foundation

/// What a hook runs for: one instance's move, or a bulk move of many.
public enum HookSubject: Sendable {
    /// One instance, as it was before the move.
    case instance(InstanceSnapshot)
    /// A bulk move: how many instances it moves (for a guard: about to; for an effect:
    /// moved) and the states they start from.
    case bulk(count: Int, sourceStates: [String])
}

/// What a guard or effect hook sees: the engine on the open transaction, the subject, the plan.
///
/// Hooks run on the engine's connection thread inside the transition's transaction:
/// their queries see the locked instances, and their writes commit or roll back with it.
/// Engine work a hook needs (create instances, move others, timers) goes through
/// `engine`, so that history and timers are written as for any transition.
public struct HookContext {
    /// The engine on the transition's open transaction.
    public let engine: EngineTransaction
    /// The instance, or the bulk move.
    public let subject: HookSubject
    /// The transition's name.
    public let transition: String
    /// The state after.
    public let to: String
    /// The fields supplied with the command.
    public let fields: [String: String]
    /// Who acts.
    public let actor: Actor

    /// The connection of the open transaction (for the domain's own tables).
    public var connection: PostgresConnection { engine.connection }
    /// The engine's clock reading for this transition.
    public var now: Date { engine.now }
    /// The instance before the move, for a single-instance transition.
    public var instance: InstanceSnapshot? {
        if case .instance(let snapshot) = subject { return snapshot }
        return nil
    }
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
    /// An effect: write through `context.engine` or `context.connection`; throwing undoes the transition.
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
