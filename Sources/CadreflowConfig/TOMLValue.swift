/// A value in the TOML subset the configuration uses.
public enum TOMLValue: Sendable, Equatable, CustomStringConvertible {
    /// A basic string.
    case string(String)
    /// An integer.
    case integer(Int)
    /// A boolean.
    case bool(Bool)

    /// The name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .bool: return "a boolean"
        }
    }

    public var description: String {
        switch self {
        case .string(let text): return "\"\(text)\""
        case .integer(let number): return String(number)
        case .bool(let flag): return String(flag)
        }
    }
}
