import CadreflowProtocol
import CadreflowRules

/// An upload's CSV lines as a header and numbered records (the header is line 1), or the
/// first line that does not parse as CSV.
public enum UploadRecords {
    /// The header and the records, or `ERR SYNTAX line N: …`.
    public static func split(_ lines: [String]) throws(ProtocolError) -> (header: [String], records: [ImportRecord]) {
        guard let first = lines.first else { throw ProtocolError(.invalid, "line 1: the upload is empty (a header is expected)") }
        let header: [String]
        do { header = try CSVParser.fields(first) } catch { throw ProtocolError(error.code, "line 1: \(error.message)") }
        var records: [ImportRecord] = []
        records.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.enumerated().dropFirst() {
            do {
                records.append(ImportRecord(line: offset + 1, fields: try CSVParser.fields(line)))
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
}
