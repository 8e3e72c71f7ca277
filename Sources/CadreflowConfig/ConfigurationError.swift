import Foundation

/// A configuration problem, described in one line that names the file and line, the key,
/// the environment variable or the flag at fault.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The one-line description, e.g. `config/cadreflow.toml line 7: unterminated string`.
    public var message: String

    /// An error with the given one-line description.
    public init(_ message: String) {
        self.message = message
    }

    /// The one-line description (same as ``message``).
    public var description: String { message }

    /// The one-line description, so `localizedDescription` shows it too.
    public var errorDescription: String? { message }
}
