/// A table for a `DATA` reply: a header and rows of text fields.
public struct DataTable: Sendable, Equatable {
    /// Column names.
    public var columns: [String]
    /// Rows; each has as many fields as there are columns.
    public var rows: [[String]]

    /// A table from its parts.
    public init(columns: [String], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }
}

/// One reply to one request.
public enum Reply: Sendable, Equatable {
    /// `OK [text]`.
    case ok(String)
    /// `ERR CODE message`.
    case error(ProtocolError)
    /// `DATA n` … `END`, optionally with a text (JSON mode shows it).
    case table(DataTable, text: String = "")
    /// `GO …`: the server waits for upload lines ending with a lone `.`.
    case go(String)
    /// Nothing to send (the connection is closing without a reply).
    case none

    /// An error reply.
    public static func error(_ code: ErrorCode, _ message: String) -> Reply {
        .error(ProtocolError(code, message))
    }
}

/// The two reply formats of a connection (`FORMAT text|json`).
public enum ReplyFormat: String, Sendable {
    /// OK / ERR / DATA lines.
    case text
    /// One JSON object per line.
    case json
}

/// Renders replies as bytes for the wire.
public enum ReplyEncoder {
    /// The reply's bytes, newline-terminated.
    public static func encode(_ reply: Reply, format: ReplyFormat) -> String {
        switch format {
        case .text: return text(reply)
        case .json: return json(reply)
        }
    }

    /// The text with line breaks turned into spaces (a reply line stays one line).
    private static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }

    static func text(_ reply: Reply) -> String {
        switch reply {
        case .ok(let text):
            return text.isEmpty ? "OK\n" : "OK " + oneLine(text) + "\n"
        case .error(let error):
            return "ERR \(error.code.rawValue) \(oneLine(error.message))\n"
        case .go(let text):
            return "GO \(oneLine(text))\n"
        case .none:
            return ""
        case .table(let table, _):
            // One string, grown in place: no array of escaped fields, no join per row.
            var out = ""
            out.reserveCapacity(16 + (table.rows.count + 1) * max(16, table.columns.count * 12))
            out += "DATA "
            out += String(table.rows.count + 1)
            out += "\n"
            appendRow(table.columns, to: &out)
            for row in table.rows { appendRow(row, to: &out) }
            out += "END\n"
            return out
        }
    }

    /// Appends one DATA row: the fields escaped, tab-separated, newline-terminated.
    private static func appendRow(_ fields: [String], to out: inout String) {
        var first = true
        for field in fields {
            if !first { out += "\t" }
            first = false
            if needsEscape(field) { out += escapeField(field) } else { out += field }
        }
        out += "\n"
    }

    private static func needsEscape(_ field: String) -> Bool {
        field.utf8.contains { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\r") }
    }

    /// Escapes tab, newline, carriage return and backslash in a DATA field.
    public static func escapeField(_ field: String) -> String {
        guard needsEscape(field) else { return field }
        var out = ""
        for character in field {
            switch character {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out
    }

    static func json(_ reply: Reply) -> String {
        switch reply {
        case .ok(let text):
            return "{\"ok\":true,\"text\":\(JSONText.quote(text))}\n"
        case .error(let error):
            let errors = error.details.isEmpty ? "" : ",\"errors\":[\(error.details.map(JSONText.quote).joined(separator: ","))]"
            return "{\"ok\":false,\"code\":\"\(error.code.rawValue)\",\"message\":\(JSONText.quote(error.message))\(errors)}\n"
        case .go(let text):
            return "{\"ok\":true,\"go\":true,\"text\":\(JSONText.quote(text))}\n"
        case .none:
            return ""
        case .table(let table, let text):
            let rows = table.rows.map { row in
                "{" + zip(table.columns, row).map { "\(JSONText.quote($0)):\(JSONText.quote($1))" }.joined(separator: ",") + "}"
            }
            return "{\"ok\":true,\"text\":\(JSONText.quote(text)),\"rows\":[\(rows.joined(separator: ","))]}\n"
        }
    }
}

/// JSON string quoting.
public enum JSONText {
    /// `"…"` with JSON escapes.
    public static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
