/// Why a transition may not happen, with the current state and the legal moves named.
public struct TransitionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal.
    public enum Reason: Sendable, Equatable {
        /// The workflow has no transition with this name.
        case unknownTransition
        /// The transition exists but does not start from the current state.
        case notFromCurrentState
        /// The caller's role may not make it.
        case roleNotAllowed
        /// Required fields are missing.
        case missingFields([String])
        /// The expected version is not the current one (someone else moved first).
        case versionConflict(expected: Int64, current: Int64)
        /// A guard hook said no.
        case guardRefused(String)
    }

    /// The kind of refusal.
    public var reason: Reason
    /// The transition asked for.
    public var transition: String
    /// The instance's state.
    public var currentState: String
    /// Transitions legal from the current state for the caller.
    public var legal: [String]

    /// A refusal from its parts.
    public init(reason: Reason, transition: String, currentState: String, legal: [String]) {
        self.reason = reason
        self.transition = transition
        self.currentState = currentState
        self.legal = legal
    }

    public var description: String {
        let options = legal.isEmpty ? "none" : legal.joined(separator: ", ")
        switch reason {
        case .unknownTransition:
            return "no transition \(transition); state is \(currentState); legal: \(options)"
        case .notFromCurrentState:
            return "\(transition) is not possible from state \(currentState); legal: \(options)"
        case .roleNotAllowed:
            return "your role may not \(transition); state is \(currentState); legal for you: \(options)"
        case .missingFields(let fields):
            return "\(transition) needs \(fields.joined(separator: ", "))"
        case .versionConflict(let expected, let current):
            return "version \(expected) is stale: the instance is at version \(current) (state \(currentState))"
        case .guardRefused(let why):
            return "\(transition) refused: \(why)"
        }
    }
}
