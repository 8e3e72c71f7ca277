/// A definition file that cannot be used, naming the file and the key at fault.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or definition name) at fault.
    public var file: String
    /// The key path inside it, e.g. `transitions[2].to`.
    public var key: String
    /// What is wrong.
    public var message: String

    /// An error for a file and key.
    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String { "\(file): \(key): \(message)" }
}
