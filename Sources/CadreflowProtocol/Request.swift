/// One parsed request line: positional words and `key=value` options, in order.
public struct Request: Sendable, Equatable {
    /// Positional words, quotes removed and escapes undone. The first is the command.
    public var words: [String]
    /// `key=value` options in the order given (keys are lowercased).
    public var options: [(key: String, value: String)]

    /// A request from its parts.
    public init(words: [String], options: [(key: String, value: String)] = []) {
        self.words = words
        self.options = options
    }

    /// The command word, uppercased ("" for an empty line).
    public var command: String { words.first?.uppercased() ?? "" }

    /// The second word uppercased (the subcommand), or "".
    public var subcommand: String { words.count > 1 ? words[1].uppercased() : "" }

    /// The value of an option, if given (the last one wins).
    public func option(_ key: String) -> String? {
        options.last { $0.key == key }?.value
    }

    public static func == (lhs: Request, rhs: Request) -> Bool {
        lhs.words == rhs.words && lhs.options.map(\.key) == rhs.options.map(\.key) && lhs.options.map(\.value) == rhs.options.map(\.value)
    }
}
