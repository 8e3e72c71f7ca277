/// Parses CSV lines (RFC 4180 quoting within one line: `a,"b, c","say ""hi"""`).
/// Uploads arrive line by line, so a quoted field may not span lines.
public enum CSVParser {
    /// The fields of one line, or an error naming the column.
    public static func fields(_ line: String) throws(ProtocolError) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var atFieldStart = true
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case ",":
                fields.append(current)
                current = ""
                atFieldStart = true
                continue
            case "\"" where atFieldStart:
                quoted = true
            case "\"":
                throw ProtocolError(.invalid, "field \(fields.count + 1): a quote inside an unquoted field")
            default:
                current.append(character)
            }
            atFieldStart = false
        }
        if quoted { throw ProtocolError(.invalid, "field \(fields.count + 1): unterminated quote") }
        fields.append(current)
        return fields
    }
}
