/// Parses request lines: `COMMAND [SUBCOMMAND] arg key=value key="quoted value" …`.
///
/// Words are separated by spaces (or tabs). A value with spaces, `=` or `"` is quoted;
/// inside quotes `\"`, `\\`, `\n` and `\t` are the only escapes. An unquoted word with
/// `=` after a name is an option. Errors are ``ErrorCode/syntax`` (or
/// ``ErrorCode/limit`` for too many arguments) naming the position, counted in
/// characters (Unicode scalars) from 1.
///
/// The line is scanned as UTF-8 bytes (every delimiter is ASCII) and each word becomes a
/// `String` once, so a short request costs a few small copies.
public struct RequestParser: Sendable {
    /// The most words and options one request may hold.
    public var maxArguments: Int

    /// A parser with a limit on arguments.
    public init(maxArguments: Int = 256) {
        self.maxArguments = maxArguments
    }

    /// Parses one line given as bytes (without its `\n`; a trailing `\r` is ignored).
    public func parse(_ bytes: some Collection<UInt8>) throws(ProtocolError) -> Request {
        if let parsed = bytes.withContiguousStorageIfAvailable({ parseLine($0, trimCarriageReturn: true) }) {
            return try parsed.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { parseLine($0, trimCarriageReturn: true) }.get()
    }

    /// Parses one line of text.
    public func parse(_ line: String) throws(ProtocolError) -> Request {
        var line = line
        return try line.withUTF8 { parseLine($0, trimCarriageReturn: false) }.get()
    }

    private func parseLine(_ whole: UnsafeBufferPointer<UInt8>, trimCarriageReturn: Bool) -> Result<Request, ProtocolError> {
        var bytes = whole
        if trimCarriageReturn, bytes.last == UInt8(ascii: "\r") { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
        if bytes.contains(where: { $0 >= 0x80 }), String(validating: bytes, as: UTF8.self) == nil {
            return .failure(ProtocolError(.syntax, "the line is not valid UTF-8"))
        }
        var scanner = RequestScanner(bytes: bytes, maxArguments: maxArguments)
        let hasControl = bytes.contains { ($0 < 0x20 && $0 != RequestScanner.tab) || $0 == 0x7F || $0 == 0xC2 }
        return Result { () throws(ProtocolError) in
            let request = try scanner.scan()
            if hasControl { try Self.refuseControlCharacters(in: request) }
            return request
        }
    }

    /// A control character sent as it is (NUL, ESC, DEL, C1 …) is refused, naming the word or
    /// option that holds it and never echoing it: the database refuses NUL in text, and a
    /// terminal would act on the others. The escapes `\n` and `\t` stay allowed.
    private static func refuseControlCharacters(in request: Request) throws(ProtocolError) {
        func control(_ text: String) -> Unicode.Scalar? {
            text.unicodeScalars.first { scalar in
                (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            }
        }
        func describe(_ scalar: Unicode.Scalar) -> String {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        for (index, word) in request.words.enumerated() {
            if let scalar = control(word) {
                throw ProtocolError(.syntax, "word \(index + 1): contains the control character \(describe(scalar)); send text only")
            }
        }
        for option in request.options {
            if let scalar = control(option.value) {
                throw ProtocolError(.syntax, "\(option.key): contains the control character \(describe(scalar)); send text only")
            }
        }
    }
}

/// One pass over a line's valid UTF-8 bytes.
private struct RequestScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxArguments: Int
    var index = 0
    var words: [String] = []
    var options: [(key: String, value: String)] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxArguments: Int) {
        self.bytes = bytes
        self.maxArguments = maxArguments
    }

    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), equals = UInt8(ascii: "=")

    func isSpace(_ byte: UInt8) -> Bool { byte == Self.space || byte == Self.tab }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The 1-based character column of the byte at `offset`.
    func column(_ offset: Int) -> Int {
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] where byte & 0xC0 != 0x80 { column += 1 }
        return column
    }

    /// An option name: letters (any script), digits, `_` and `-`.
    func isOptionName(_ range: Range<Int>) -> Bool {
        let name = bytes[range]
        if name.allSatisfy({ $0 < 0x80 }) {
            return name.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
        }
        return text(range).unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    mutating func scan() throws(ProtocolError) -> Request {
        while index < bytes.count {
            if isSpace(bytes[index]) { index += 1; continue }
            if words.count + options.count >= maxArguments {
                throw ProtocolError(.limit, "more than \(maxArguments) arguments")
            }
            if bytes[index] == Self.quote {
                words.append(try quoted())
                continue
            }
            try word()
        }
        return Request(words: words, options: options)
    }

    /// An unquoted word, or an option `key=value` / `key="value"`.
    mutating func word() throws(ProtocolError) {
        var valueStart = index
        var key: String?
        while index < bytes.count, !isSpace(bytes[index]) {
            let byte = bytes[index]
            if byte == Self.equals, key == nil, index > valueStart, isOptionName(valueStart..<index) {
                let name = text(valueStart..<index).lowercased()
                key = name
                index += 1
                valueStart = index
                if index < bytes.count, bytes[index] == Self.quote {
                    options.append((key: name, value: try quoted()))
                    return
                }
                continue
            }
            if byte == Self.quote {
                throw ProtocolError(.syntax, "column \(column(index)): a quote inside a word (quote the whole value)")
            }
            index += 1
        }
        if let key {
            options.append((key: key, value: text(valueStart..<index)))
        } else {
            words.append(text(valueStart..<index))
        }
    }

    /// A quoted value starting at the opening quote; escapes undone.
    mutating func quoted() throws(ProtocolError) -> String {
        let start = index
        index += 1
        var value: [UInt8] = []
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                value.append(contentsOf: bytes[runStart..<index])
                index += 1
                if index < bytes.count, !isSpace(bytes[index]) {
                    throw ProtocolError(.syntax, "column \(column(index)): text after a closing quote")
                }
                return String(decoding: value, as: UTF8.self)
            }
            if byte == Self.backslash {
                value.append(contentsOf: bytes[runStart..<index])
                guard index + 1 < bytes.count else { index += 1; runStart = index; break }
                switch bytes[index + 1] {
                case Self.quote: value.append(Self.quote)
                case Self.backslash: value.append(Self.backslash)
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): value.append(Self.tab)
                default:
                    let escaped = text((index + 1)..<nextCharacter(after: index + 1))
                    throw ProtocolError(.syntax, "column \(column(index)): unknown escape \\\(escaped) (only \\\", \\\\, \\n, \\t)")
                }
                index += 2
                runStart = index
                continue
            }
            index += 1
        }
        throw ProtocolError(.syntax, "column \(column(start)): unterminated quote")
    }

    /// The offset just past the character starting at `offset`.
    func nextCharacter(after offset: Int) -> Int {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return end
    }
}
