/// Why the service's database could not be prepared: a missing PostgreSQL install, a
/// cluster that would not start, a migration that was edited after it was applied.
/// The description is one line meant for an operator.
public struct DatabaseSetupError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The one-line reason.
    public var message: String

    /// An error with the given reason.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
