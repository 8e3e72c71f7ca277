/// A parsed configuration file in the TOML subset Cadreflow uses: comments, one level of
/// `[section]` headers, and `key = value` lines with basic strings, integers and booleans.
public struct TOMLDocument: Sendable, Equatable {
    /// An entry with the line it came from.
    public struct Entry: Sendable, Equatable {
        /// The value.
        public var value: TOMLValue
        /// The 1-based line number.
        public var line: Int
    }

    /// Values keyed by `section.key` (or `key` before any section).
    public private(set) var entries: [String: Entry] = [:]

    /// Parses `text`; errors name `source` and the line.
    public init(parsing text: String, source: String) throws {
        var section = ""
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            func fail(_ reason: String) -> ConfigurationError {
                ConfigurationError("\(source) line \(lineNumber): \(reason)")
            }
            var scanner = Scanner(Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine))
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                scanner.advance()
                scanner.skipSpaces()
                let name = scanner.bareKey()
                scanner.skipSpaces()
                guard !name.isEmpty, scanner.peek == "]" else { throw fail("expected a section header like [database]") }
                scanner.advance()
                scanner.skipSpaces()
                guard scanner.atEndOrComment else { throw fail("unexpected text after the section header") }
                section = name
                continue
            }
            let key = scanner.bareKey()
            guard !key.isEmpty else { throw fail("expected key = value") }
            scanner.skipSpaces()
            guard scanner.peek == "=" else { throw fail("expected '=' after \(key)") }
            scanner.advance()
            scanner.skipSpaces()
            let value: TOMLValue
            do {
                value = try scanner.value()
            } catch let reason as ScanError {
                throw fail(reason.message)
            }
            scanner.skipSpaces()
            guard scanner.atEndOrComment else { throw fail("unexpected text after the value of \(key)") }
            let fullKey = section.isEmpty ? key : "\(section).\(key)"
            if let previous = entries[fullKey] {
                throw fail("duplicate key \(fullKey) (first set on line \(previous.line))")
            }
            entries[fullKey] = Entry(value: value, line: lineNumber)
        }
    }
}

private struct ScanError: Error {
    let message: String
}

/// Reads one line character by character.
private struct Scanner {
    private let characters: [Character]
    private var index = 0

    init(_ line: Substring) {
        characters = Array(line)
    }

    var peek: Character? { index < characters.count ? characters[index] : nil }
    var atEndOrComment: Bool { peek == nil || peek == "#" }

    mutating func advance() { index += 1 }

    mutating func skipSpaces() {
        while let character = peek, character == " " || character == "\t" { advance() }
    }

    mutating func bareKey() -> String {
        var key = ""
        while let character = peek, character.isASCII, character.isLetter || character.isNumber || character == "_" || character == "-" {
            key.append(character)
            advance()
        }
        return key
    }

    mutating func value() throws -> TOMLValue {
        guard let first = peek else { throw ScanError(message: "missing value") }
        if first == "\"" { return .string(try string()) }
        var word = ""
        while let character = peek, character != " ", character != "\t", character != "#" {
            word.append(character)
            advance()
        }
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            let digits = word.replacingOccurrences(of: "_", with: "")
            guard !word.hasPrefix("_"), !word.hasSuffix("_"), !word.contains("__"), let number = Int(digits) else {
                throw ScanError(message: "\(word) is not a string, integer or boolean (strings need double quotes)")
            }
            return .integer(number)
        }
    }

    private mutating func string() throws -> String {
        advance() // opening quote
        var text = ""
        while let character = peek {
            advance()
            switch character {
            case "\"":
                return text
            case "\\":
                guard let escaped = peek else { throw ScanError(message: "unterminated string") }
                advance()
                switch escaped {
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "u":
                    var hex = ""
                    for _ in 0..<4 {
                        guard let digit = peek, digit.isHexDigit else { throw ScanError(message: "\\u needs four hex digits") }
                        hex.append(digit)
                        advance()
                    }
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                        throw ScanError(message: "\\u\(hex) is not a character")
                    }
                    text.unicodeScalars.append(scalar)
                default:
                    throw ScanError(message: "unknown escape \\\(escaped) in string")
                }
            default:
                text.append(character)
            }
        }
        throw ScanError(message: "unterminated string")
    }
}
