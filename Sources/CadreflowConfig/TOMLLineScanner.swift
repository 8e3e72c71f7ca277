/// Why one line of a TOML file does not parse (the document adds the source and line).
struct TOMLSyntaxError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Reads one line of the TOML subset, Unicode scalar by Unicode scalar.
struct TOMLLineScanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ line: Substring.UnicodeScalarView.SubSequence) {
        scalars = Array(line)
    }

    var atEndOrComment: Bool { peek == nil || peek == "#" }

    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    /// Skips spaces and tabs.
    mutating func skipWhitespace() {
        while let scalar = peek, scalar == " " || scalar == "\t" { index += 1 }
    }

    /// Consumes `scalar` if it is next.
    mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        index += 1
        return true
    }

    /// The rest of a `[section]` line, after the opening bracket.
    mutating func sectionHeader() throws(TOMLSyntaxError) -> String {
        skipWhitespace()
        let name = bareKey()
        skipWhitespace()
        if !name.isEmpty, peek == "." {
            throw TOMLSyntaxError("only one level of sections is supported ([\(name)], not [\(name).…])")
        }
        guard !name.isEmpty, take("]") else { throw TOMLSyntaxError("expected a section header like [database]") }
        skipWhitespace()
        guard atEndOrComment else { throw TOMLSyntaxError("unexpected text after the section header [\(name)]") }
        return name
    }

    /// A whole `key = value` line, after leading whitespace.
    mutating func keyValue() throws(TOMLSyntaxError) -> (String, TOMLValue) {
        let key = bareKey()
        guard !key.isEmpty else { throw TOMLSyntaxError("expected key = value (keys are letters, digits, _ and -)") }
        skipWhitespace()
        guard take("=") else { throw TOMLSyntaxError("expected '=' after \(key)") }
        skipWhitespace()
        guard !atEndOrComment else { throw TOMLSyntaxError("missing value for \(key)") }
        let value = try self.value()
        skipWhitespace()
        guard atEndOrComment else { throw TOMLSyntaxError("unexpected text after the value of \(key)") }
        return (key, value)
    }

    private mutating func bareKey() -> String {
        var key = String.UnicodeScalarView()
        while let scalar = peek, Self.isBareKeyScalar(scalar) {
            key.append(scalar)
            index += 1
        }
        return String(key)
    }

    private mutating func value() throws(TOMLSyntaxError) -> TOMLValue {
        if take("\"") { return .string(try basicString()) }
        var word: [Unicode.Scalar] = []
        while let scalar = peek, scalar != " ", scalar != "\t", scalar != "#" {
            word.append(scalar)
            index += 1
        }
        let text = String(String.UnicodeScalarView(word))
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            if let number = try Self.integer(word, text: text) { return .integer(number) }
            throw TOMLSyntaxError("\(text) is not a string, integer or boolean (strings need double quotes)")
        }
    }

    /// The rest of a basic string, after the opening quote.
    private mutating func basicString() throws(TOMLSyntaxError) -> String {
        var text = String.UnicodeScalarView()
        while let scalar = peek {
            index += 1
            switch scalar {
            case "\"":
                return String(text)
            case "\\":
                text.append(try escape())
            case "\t":
                text.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                throw TOMLSyntaxError("control character U+\(Self.hex4(scalar.value)) in string (write \\n, \\t or \\uXXXX)")
            default:
                text.append(scalar)
            }
        }
        throw TOMLSyntaxError("unterminated string")
    }

    /// One escape sequence, after the backslash.
    private mutating func escape() throws(TOMLSyntaxError) -> Unicode.Scalar {
        guard let escaped = peek else { throw TOMLSyntaxError("unterminated string") }
        index += 1
        switch escaped {
        case "\"": return "\""
        case "\\": return "\\"
        case "n": return "\n"
        case "t": return "\t"
        case "u":
            var code: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = peek, let value = Self.hexValue(digit) else {
                    throw TOMLSyntaxError("\\u needs four hex digits")
                }
                code = code * 16 + value
                index += 1
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw TOMLSyntaxError("\\u\(Self.hex4(code)) is not a Unicode scalar value")
            }
            return scalar
        default:
            throw TOMLSyntaxError("unknown escape \\\(escaped) in string (allowed: \\\" \\\\ \\n \\t \\uXXXX)")
        }
    }

    /// `word` as an integer: optional sign, decimal digits, single underscores between digits,
    /// no leading zeros. Nil when it does not look like an integer at all.
    private static func integer(_ word: [Unicode.Scalar], text: String) throws(TOMLSyntaxError) -> Int? {
        var body = word[...]
        var cleaned = ""
        if let sign = body.first, sign == "+" || sign == "-" {
            if sign == "-" { cleaned = "-" }
            body = body.dropFirst()
        }
        guard let first = body.first, isDigit(first) else { return nil }
        var previousWasDigit = false
        var digitCount = 0
        for scalar in body {
            if scalar == "_" {
                guard previousWasDigit else { throw TOMLSyntaxError("integer \(text): an underscore must sit between digits") }
                previousWasDigit = false
            } else if isDigit(scalar) {
                cleaned.unicodeScalars.append(scalar)
                previousWasDigit = true
                digitCount += 1
            } else {
                return nil
            }
        }
        guard previousWasDigit else { throw TOMLSyntaxError("integer \(text): an underscore must sit between digits") }
        guard first != "0" || digitCount == 1 else { throw TOMLSyntaxError("integer \(text) has a leading zero") }
        guard let number = Int(cleaned) else { throw TOMLSyntaxError("integer \(text) is out of range") }
        return number
    }

    private static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
