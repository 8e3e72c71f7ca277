import CadreflowPostgres

/// Why an engine call failed, with the kinds the protocol maps to its error codes.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Equatable {
        /// No such instance, workflow or schedule (`NOTFOUND`).
        case notFound
        /// The transition is not legal now (`CONFLICT`), see ``refusal``.
        case refused
        /// The input is wrong: unknown workflow, duplicate key, bad filter (`INVALID`).
        case invalid
        /// The database is unreachable or failed (`UNAVAILABLE`).
        case unavailable
    }

    /// The kind.
    public var kind: Kind
    /// The message, naming the instance, transition or field at fault.
    public var message: String
    /// For ``Kind/refused``: the state machine's reason, with the legal transitions.
    public var refusal: TransitionRefusal?

    /// An error from its parts.
    public init(_ kind: Kind, _ message: String, refusal: TransitionRefusal? = nil) {
        self.kind = kind
        self.message = message
        self.refusal = refusal
    }

    /// A refused transition.
    public static func refused(_ refusal: TransitionRefusal) -> EngineError {
        EngineError(.refused, refusal.description, refusal: refusal)
    }

    /// A database failure.
    public static func database(_ error: any Error) -> EngineError {
        if let engine = error as? EngineError { return engine }
        return EngineError(.unavailable, "database: \(error)")
    }

    public var description: String { message }
}
