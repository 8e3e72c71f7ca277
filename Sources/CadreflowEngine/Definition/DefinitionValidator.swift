/// The hook names a domain provides, against which definitions are checked.
public struct HookNames: Sendable, Equatable {
    /// Guard hook names.
    public var guards: Set<String>
    /// Effect hook names.
    public var effects: Set<String>

    /// Hook names as sets.
    public init(guards: Set<String> = [], effects: Set<String> = []) {
        self.guards = guards
        self.effects = effects
    }
}

/// The words a definition may use, given by the composition root: the roles (actors) a
/// transition may name and the hooks the domain provides. The engine hard-codes none.
public struct DefinitionVocabulary: Sendable, Equatable {
    /// Roles a transition may name; `system` (timers, schedules) is always among them.
    public var roles: Set<String>
    /// Hook names.
    public var hooks: HookNames

    /// A vocabulary; `system` is added to the roles.
    public init(roles: Set<String>, hooks: HookNames) {
        self.roles = roles.union(["system"])
        self.hooks = hooks
    }
}

/// Checks a definition's graph: every name known, every state reachable, no dead end.
public enum DefinitionValidator {
    /// Throws the first problem found, naming the file and the key.
    public static func validate(_ definition: WorkflowDefinition, file: String, vocabulary: DefinitionVocabulary) throws {
        let roles = vocabulary.roles
        let hooks = vocabulary.hooks
        func fail(_ key: String, _ message: String) -> DefinitionError {
            DefinitionError(file: file, key: key, message: message)
        }
        guard definition.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw fail("name", "use letters, digits, _ and - only")
        }
        guard definition.version >= 1 else { throw fail("version", "must be 1 or more") }
        var states = Set<String>()
        for (index, state) in definition.states.enumerated() {
            guard states.insert(state).inserted else { throw fail("states[\(index)]", "duplicate state \(state)") }
        }
        guard states.contains(definition.initial) else { throw fail("initial", "unknown state \(definition.initial)") }
        guard !definition.final.isEmpty else { throw fail("final", "at least one final state is needed") }
        for (index, state) in definition.final.enumerated() where !states.contains(state) {
            throw fail("final[\(index)]", "unknown state \(state)")
        }
        var names = Set<String>()
        for (index, transition) in definition.transitions.enumerated() {
            let at = "transitions[\(index)]"
            guard names.insert(transition.name).inserted else { throw fail("\(at).name", "duplicate transition name \(transition.name)") }
            guard !transition.from.isEmpty else { throw fail("\(at).from", "needs at least one state") }
            for (position, source) in transition.from.enumerated() where source != TransitionDefinition.anyState {
                guard states.contains(source) else { throw fail("\(at).from[\(position)]", "unknown state \(source)") }
                guard !definition.isFinal(source) else { throw fail("\(at).from[\(position)]", "\(source) is final: nothing leaves it") }
            }
            guard states.contains(transition.to) else { throw fail("\(at).to", "unknown state \(transition.to)") }
            guard !transition.roles.isEmpty else { throw fail("\(at).roles", "needs at least one role") }
            for (position, role) in transition.roles.enumerated() where !roles.contains(role) {
                throw fail("\(at).roles[\(position)]", "unknown role \(role) (known: \(roles.sorted().joined(separator: ", ")))")
            }
            if let hook = transition.guardHook, !hooks.guards.contains(hook) {
                throw fail("\(at).guard", "unknown guard hook \(hook)")
            }
            if let hook = transition.effectHook, !hooks.effects.contains(hook) {
                throw fail("\(at).effect", "unknown effect hook \(hook)")
            }
        }
        for (index, timer) in definition.timers.enumerated() {
            let at = "timers[\(index)]"
            guard states.contains(timer.state) else { throw fail("\(at).state", "unknown state \(timer.state)") }
            guard let transition = definition.transition(named: timer.fire) else {
                throw fail("\(at).fire", "unknown transition \(timer.fire)")
            }
            guard definition.sources(of: transition).contains(timer.state) else {
                throw fail("\(at).fire", "\(timer.fire) cannot start from \(timer.state)")
            }
            guard transition.roles.contains("system") else {
                throw fail("\(at).fire", "\(timer.fire) must allow the role system to be fired by a timer")
            }
            if let after = timer.afterSeconds, after <= 0 { throw fail("\(at).after", "must be positive") }
        }
        // Every state reachable from the initial one.
        var reached: Set<String> = [definition.initial]
        var frontier = [definition.initial]
        while let state = frontier.popLast() {
            for transition in definition.transitions(from: state) where reached.insert(transition.to).inserted {
                frontier.append(transition.to)
            }
        }
        for (index, state) in definition.states.enumerated() where !reached.contains(state) {
            throw fail("states[\(index)]", "\(state) cannot be reached from \(definition.initial)")
        }
        // Every non-final state has a way out that leads somewhere else.
        for (index, state) in definition.states.enumerated() where !definition.isFinal(state) {
            if !definition.transitions(from: state).contains(where: { $0.to != state }) {
                throw fail("states[\(index)]", "\(state) is not final but no transition leaves it")
            }
        }
    }
}
