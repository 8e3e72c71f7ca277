/// A `DATA` block as CSV (RFC 4180), as spreadsheets read it: the header and the rows,
/// each field unescaped from the protocol's `\t`, `\n`, `\\` and quoted when it holds a
/// comma, a quote or a line break (quotes doubled); lines end with CRLF.
public enum CSVRenderer {
    public static func render(_ lines: [String]) -> String {
        let body = lines.dropFirst().dropLast()
        return body.map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map { field(TableRenderer.unescape($0)) }.joined(separator: ",")
        }.joined(separator: "\r\n") + (body.isEmpty ? "" : "\r")
    }

    /// One field, quoted when it must be.
    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
