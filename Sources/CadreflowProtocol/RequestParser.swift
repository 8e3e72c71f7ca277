/// Parses request lines: `COMMAND [SUBCOMMAND] arg key=value key="quoted value" …`.
///
/// Words are separated by spaces (or tabs). A value with spaces, `=` or `"` is quoted;
/// inside quotes `\"`, `\\`, `\n` and `\t` are the only escapes. An unquoted word with
/// `=` after a name is an option. Errors are ``ErrorCode/syntax`` (or
/// ``ErrorCode/limit`` for too many arguments) naming the position.
public struct RequestParser: Sendable {
    /// The most words and options one request may hold.
    public var maxArguments: Int

    /// A parser with a limit on arguments.
    public init(maxArguments: Int = 256) {
        self.maxArguments = maxArguments
    }

    /// Parses one line given as bytes (without its `\n`; a trailing `\r` is ignored).
    public func parse(_ bytes: some Collection<UInt8>) throws(ProtocolError) -> Request {
        var body = Array(bytes)
        if body.last == UInt8(ascii: "\r") { body.removeLast() }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw ProtocolError(.syntax, "the line is not valid UTF-8")
        }
        return try parse(text)
    }

    /// Parses one line of text.
    public func parse(_ line: String) throws(ProtocolError) -> Request {
        var words: [String] = []
        var options: [(key: String, value: String)] = []
        let characters = Array(line.unicodeScalars)
        var index = 0
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

        func quoted() throws(ProtocolError) -> String {
            let start = index
            index += 1 // opening quote
            var value = String.UnicodeScalarView()
            while index < characters.count {
                let scalar = characters[index]
                index += 1
                switch scalar {
                case "\"":
                    if index < characters.count, !isSpace(characters[index]) {
                        throw ProtocolError(.syntax, "column \(index + 1): text after a closing quote")
                    }
                    return String(value)
                case "\\":
                    guard index < characters.count else { break }
                    let escaped = characters[index]
                    index += 1
                    switch escaped {
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: throw ProtocolError(.syntax, "column \(index - 1): unknown escape \\\(escaped) (only \\\", \\\\, \\n, \\t)")
                    }
                default:
                    value.append(scalar)
                }
            }
            throw ProtocolError(.syntax, "column \(start + 1): unterminated quote")
        }

        while index < characters.count {
            if isSpace(characters[index]) { index += 1; continue }
            if words.count + options.count >= maxArguments {
                throw ProtocolError(.limit, "more than \(maxArguments) arguments")
            }
            if characters[index] == "\"" {
                words.append(try quoted())
                continue
            }
            var word = String.UnicodeScalarView()
            var key: String?
            while index < characters.count, !isSpace(characters[index]) {
                let scalar = characters[index]
                if scalar == "=", key == nil, !word.isEmpty, word.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }) {
                    key = String(word).lowercased()
                    word = String.UnicodeScalarView()
                    index += 1
                    if index < characters.count, characters[index] == "\"" {
                        options.append((key: key ?? "", value: try quoted()))
                        word = String.UnicodeScalarView()
                        key = "" // consumed
                        break
                    }
                    continue
                }
                if scalar == "\"" {
                    throw ProtocolError(.syntax, "column \(index + 1): a quote inside a word (quote the whole value)")
                }
                word.append(scalar)
                index += 1
            }
            switch key {
            case .none: words.append(String(word))
            case .some(""): break
            case .some(let name): options.append((key: name, value: String(word)))
            }
        }
        return Request(words: words, options: options)
    }
}
