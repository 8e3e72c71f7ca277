/// Writes values into request lines so that ``RequestParser`` reads them back exactly.
public enum RequestQuoting {
    /// The value as is when it is a plain word; otherwise double-quoted with `\"`, `\\`,
    /// `\n` and `\t` escaped.
    public static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard needsQuotes else { return value }
        var out = "\""
        for character in value {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
