/// Renders a `HELP` reply for an 80-column terminal: each command on its own line with
/// its roles and summary, its syntax below it, wrapped at word boundaries and indented.
public enum HelpRenderer {
    /// The `DATA` lines of a HELP reply (columns command, usage, roles, summary) as text.
    public static func render(_ lines: [String], width: Int = 80) -> String? {
        let rows = lines.dropFirst(2).dropLast().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map { TableRenderer.unescape($0) } }
        guard lines.count >= 3, lines[1].hasPrefix("command\tusage"), rows.allSatisfy({ $0.count >= 4 }) else { return nil }
        var out: [String] = []
        for row in rows {
            out += wrap("\(row[0]) — \(row[3]) [\(row[2])]", width: width, indent: "")
            out += wrap(row[1], width: width, indent: "    ")
        }
        return out.joined(separator: "\n")
    }

    /// Words of `text` in lines of at most `width` columns (a longer word stands alone),
    /// every line after the first indented like the first.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var current = indent
        for word in text.split(separator: " ") {
            let candidate = current == indent ? current + word : current + " " + word
            if DisplayWidth.of(candidate) > width, current != indent {
                lines.append(current)
                current = indent + "  " + word
            } else {
                current = candidate
            }
        }
        if current != indent { lines.append(current) }
        return lines
    }
}
