/// A parsed configuration file in the TOML subset Cadreflow uses: `#` comments, blank lines,
/// one level of `[section]` headers with bare names, and `key = value` lines whose values are
/// basic strings, integers or booleans. Errors name the source and the line.
public struct TOMLDocument: Sendable, Equatable {
    /// A value with the line it came from.
    public struct Entry: Sendable, Equatable {
        /// The value.
        public var value: TOMLValue
        /// The 1-based line number.
        public var line: Int
    }

    /// Values with their lines, keyed by `section.key` (or `key` before any section header).
    public private(set) var entries: [String: Entry] = [:]

    /// Section names, each with the 1-based line of its header.
    public private(set) var sections: [String: Int] = [:]

    /// Values keyed by `section.key` (or `key` before any section header).
    public var values: [String: TOMLValue] { entries.mapValues(\.value) }

    /// Parses `text`. Errors name `source` and the line: `config/cadreflow.toml line 7: unterminated string`.
    public init(parsing text: String, source: String) throws {
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var section: String?
        let lines = scalars.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            do {
                try parse(line: line, number: lineNumber, section: &section)
            } catch {
                throw ConfigurationError("\(source) line \(lineNumber): \(error.message)")
            }
        }
    }

    private mutating func parse(
        line: Substring.UnicodeScalarView.SubSequence, number: Int, section: inout String?
    ) throws(TOMLSyntaxError) {
        var scanner = TOMLLineScanner(line)
        scanner.skipWhitespace()
        if scanner.atEndOrComment { return }
        if scanner.take("[") {
            let name = try scanner.sectionHeader()
            if let first = sections[name] {
                throw TOMLSyntaxError("duplicate section [\(name)] (first on line \(first))")
            }
            sections[name] = number
            section = name
            return
        }
        let (key, value) = try scanner.keyValue()
        let fullKey = section.map { "\($0).\(key)" } ?? key
        if let previous = entries[fullKey] {
            throw TOMLSyntaxError("duplicate key \(fullKey) (first set on line \(previous.line))")
        }
        entries[fullKey] = Entry(value: value, line: number)
    }
}
