/// Renders `DATA` replies as aligned text tables for people.
public enum TableRenderer {
    /// Undoes the protocol's field escapes (`\t`, `\n`, `\r`, `\\`).
    public static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var out = ""
        var escaping = false
        for character in field {
            if escaping {
                switch character {
                case "t": out.append("\t")
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The lines of a DATA block (from `DATA n` to `END`) as an aligned table with a rule
    /// under the header; newlines and tabs inside fields are shown as ⏎ and ⇥.
    public static func render(_ lines: [String]) -> String {
        let body = lines.dropFirst().dropLast()
        let rows = body.map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map {
                unescape($0).replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: "\t", with: "⇥")
            }
        }
        guard let header = rows.first else { return "" }
        // Columns are aligned by display width (``DisplayWidth``), not by characters or bytes.
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (index, field) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(field))
            }
        }
        func format(_ row: [String]) -> String {
            row.enumerated().map { index, field in
                index == row.count - 1 ? field : field + String(repeating: " ", count: max(0, (index < widths.count ? widths[index] : 0) - DisplayWidth.of(field)))
            }.joined(separator: "  ")
        }
        var out = [format(header), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += rows.dropFirst().map(format)
        out.append("(\(rows.count - 1) row\(rows.count == 2 ? "" : "s"))")
        return out.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
