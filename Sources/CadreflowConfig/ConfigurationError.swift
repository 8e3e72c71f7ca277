/// A configuration problem, described in one line that names the file and line, the key,
/// the environment variable or the flag at fault.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The one-line description.
    public var message: String

    /// An error with the given description.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
