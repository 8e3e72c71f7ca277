/// A value in the TOML subset the configuration uses.
public enum TOMLValue: Sendable, Equatable, CustomStringConvertible {
    /// A basic string (`"..."`).
    case string(String)
    /// An integer (optional sign, underscores between digits).
    case integer(Int)
    /// A boolean (`true` or `false`).
    case bool(Bool)

    /// The name of the value's type, for error messages ("a string", "an integer", "a boolean").
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .bool: return "a boolean"
        }
    }

    /// The value written as TOML: strings quoted and escaped, so `"a\"b"` reads back as it was.
    public var description: String {
        switch self {
        case .string(let text): return TOMLValue.quoted(text)
        case .integer(let number): return String(number)
        case .bool(let flag): return String(flag)
        }
    }

    /// `text` as a TOML basic string, escaping quotes, backslashes and control characters.
    static func quoted(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        result.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            default: result.append(scalar)
            }
        }
        result.append("\"")
        return String(result)
    }
}
