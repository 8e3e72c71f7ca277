/// A set of commands mounted on the server by the composition root (the way a Hummingbird
/// `RouteCollection` is added to a router): the server knows none of them in advance.
public struct CommandGroup: Sendable {
    /// The group's name, for documentation (`organisation`, `engine` …).
    public let name: String
    /// Its commands.
    public let commands: [CommandSpec]

    /// A group from its commands.
    public init(_ name: String, _ commands: [CommandSpec]) {
        self.name = name
        self.commands = commands
    }
}
