/// Parses CSV lines (RFC 4180 quoting within one line: `a,"b, c","say ""hi"""`).
/// Uploads arrive line by line, so a quoted field may not span lines.
///
/// The separator is `,`, or `;` for a file whose header says so (``separator(ofHeader:)``):
/// spreadsheets in locales with a decimal comma save CSV with semicolons.
public enum CSVParser {
    /// The fields of one line, or an error naming the column.
    public static func fields(_ line: String, separator: Character = ",") throws(ProtocolError) -> [String] {
        // By bytes: a separator or quote is its ASCII byte even when a combining mark
        // follows it (as characters, `",\u{301}"` was one that was neither).
        guard let byte = separator.asciiValue, byte != UInt8(ascii: "\"") else {
            throw ProtocolError(.invalid, "separator \(separator): a comma, a semicolon or another ASCII character that is not a quote")
        }
        let utf8 = line.utf8
        // Most lines hold no quote: split on the separator's byte (an ASCII byte is never
        // part of another character's UTF-8, so every piece is whole text).
        guard utf8.contains(UInt8(ascii: "\"")) else {
            return utf8.split(separator: byte, omittingEmptySubsequences: false).map { String(Substring($0)) }
        }
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var atFieldStart = true
        var bytes = utf8.makeIterator()
        var pending: UInt8? = nil
        while let next = pending ?? bytes.next() {
            pending = nil
            if quoted {
                if next == UInt8(ascii: "\"") {
                    if let after = bytes.next() {
                        if after == UInt8(ascii: "\"") { current.append(after) } else { quoted = false; pending = after }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(next)
                }
                continue
            }
            switch next {
            case byte:
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                atFieldStart = true
                continue
            case UInt8(ascii: "\"") where atFieldStart:
                quoted = true
            case UInt8(ascii: "\""):
                throw ProtocolError(.invalid, "field \(fields.count + 1): a quote inside an unquoted field")
            default:
                current.append(next)
            }
            atFieldStart = false
        }
        if quoted { throw ProtocolError(.invalid, "field \(fields.count + 1): unterminated quote") }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }

    /// The separator of a file, judged by its header line: `;` when the header holds no
    /// `,` but splits on `;` into more than one column (a spreadsheet's semicolon CSV),
    /// else `,`. A header of column names never needs a comma, so the guess is safe.
    public static func separator(ofHeader header: String) -> Character {
        guard !header.contains(","), header.contains(";") else { return "," }
        guard let columns = try? fields(header, separator: ";"), columns.count > 1 else { return "," }
        return ";"
    }
}
