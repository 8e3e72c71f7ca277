import CadreflowProtocol
import CadreflowRules

/// An upload's CSV lines as a header and numbered records (the header is line 1), or the
/// first line that does not parse as CSV.
///
/// Files the way spreadsheets save them are read as they are: a UTF-8 byte-order mark
/// before the header is dropped, a `\r` ending any line is dropped, and a header with
/// no `,` that splits on `;` makes the whole file semicolon-separated.
public enum UploadRecords {
    /// The header and the records, or `ERR INVALID line N: …`.
    public static func split(_ lines: [String]) throws(ProtocolError) -> (header: [String], records: [ImportRecord]) {
        guard let raw = lines.first else { throw ProtocolError(.invalid, "line 1: the upload is empty (a header is expected)") }
        var first = withoutCarriageReturn(raw)
        if first.unicodeScalars.first == "\u{FEFF}" { first.unicodeScalars.removeFirst() }
        let separator = CSVParser.separator(ofHeader: first)
        let header: [String]
        do { header = try CSVParser.fields(first, separator: separator) } catch { throw ProtocolError(error.code, "line 1: \(error.message)") }
        var records: [ImportRecord] = []
        records.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.enumerated().dropFirst() {
            do {
                records.append(ImportRecord(line: offset + 1, fields: try CSVParser.fields(withoutCarriageReturn(line), separator: separator)))
            } catch {
                throw ProtocolError(error.code, "line \(offset + 1): \(error.message)")
            }
        }
        return (header, records)
    }

    /// `format=csv`, the one upload format; anything else is `ERR INVALID format: csv`.
    static func requireCSV(_ request: Request) throws(ProtocolError) {
        guard request.option("format")?.lowercased() == "csv" else { throw ProtocolError(.invalid, "format: csv") }
    }

    /// A line without the `\r` of a CRLF line end (the server drops it already; lines
    /// given in-process may still have it).
    private static func withoutCarriageReturn(_ line: String) -> String {
        guard line.utf8.last == UInt8(ascii: "\r") else { return line }
        var trimmed = line
        trimmed.unicodeScalars.removeLast()
        return trimmed
    }
}
