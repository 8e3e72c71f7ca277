import CadreflowProtocol
import Foundation
import Testing

@Suite("Reply encoding")
struct ReplyEncoderTests {
    @Test("Text replies: OK, ERR on one line, DATA with escaped fields and END")
    func text() {
        #expect(ReplyEncoder.encode(.ok("PONG"), format: .text) == "OK PONG\n")
        #expect(ReplyEncoder.encode(.ok(""), format: .text) == "OK\n")
        #expect(ReplyEncoder.encode(.error(.invalid, "line 17:\nscore"), format: .text) == "ERR INVALID line 17: score\n")
        let table = DataTable(columns: ["code", "name"], rows: [["HN", "Hà Nội\ttab\\n\nx"]])
        #expect(ReplyEncoder.encode(.table(table), format: .text) == "DATA 2\ncode\tname\nHN\tHà Nội\\ttab\\\\n\\nx\nEND\n")
    }

    @Test("JSON replies are one valid object per line, with the exact values")
    func json() throws {
        let table = DataTable(columns: ["name"], rows: [["Phường \"A\" \\ \t"]])
        let line = ReplyEncoder.encode(.table(table), format: .json)
        #expect(line.hasSuffix("\n"))
        #expect(!line.dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == true)
        let rows = try #require(object["rows"] as? [[String: String]])
        #expect(rows == [["name": "Phường \"A\" \\ \t"]])
        let error = try #require(try JSONSerialization.jsonObject(with: Data(ReplyEncoder.encode(.error(.conflict, "x"), format: .json).utf8)) as? [String: Any])
        #expect(error["ok"] as? Bool == false)
        #expect(error["code"] as? String == "CONFLICT")
        #expect(error["message"] as? String == "x")
    }

    @Test("CSV fields: quotes, doubled quotes, commas; errors name the field")
    func csv() throws {
        #expect(try CSVParser.fields(#"E1,"Nguyễn, Văn","say ""hi""",,7.5"#) == ["E1", "Nguyễn, Văn", "say \"hi\"", "", "7.5"])
        #expect(try CSVParser.fields("") == [""])
        let error = #expect(throws: ProtocolError.self) { try CSVParser.fields(#"a,"open"#) }
        #expect(error?.message.contains("field 2") == true)
    }
}
