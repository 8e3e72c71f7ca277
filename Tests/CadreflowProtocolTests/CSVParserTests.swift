import CadreflowProtocol
import Testing

@Suite("CSV parsing: separators as spreadsheets save them")
struct CSVParserTests {
    @Test("A semicolon separator: commas are content, quoted semicolons stay whole")
    func semicolons() throws {
        #expect(try CSVParser.fields("E1;P01;75,5", separator: ";") == ["E1", "P01", "75,5"])
        #expect(try CSVParser.fields(#"unit;HN.HK;Phường Hoàn Kiếm, Hà Nội;"A;B";"say ""hi""";"#, separator: ";")
            == ["unit", "HN.HK", "Phường Hoàn Kiếm, Hà Nội", "A;B", "say \"hi\"", ""])
        // With the default separator a semicolon is content.
        #expect(try CSVParser.fields("merge,P1,HN.A;HN.B") == ["merge", "P1", "HN.A;HN.B"])
        let error = #expect(throws: ProtocolError.self) { try CSVParser.fields(#"a;"open"#, separator: ";") }
        #expect(error?.message == "field 2: unterminated quote")
    }

    @Test("The header decides the separator: `;` only when it has no comma and several columns")
    func separatorOfHeader() {
        #expect(CSVParser.separator(ofHeader: "type;code;name") == ";")
        #expect(CSVParser.separator(ofHeader: "exam;paper;score") == ";")
        #expect(CSVParser.separator(ofHeader: "type,code,name") == ",")
        #expect(CSVParser.separator(ofHeader: "type,code;name") == ",")
        #expect(CSVParser.separator(ofHeader: "type") == ",")
        #expect(CSVParser.separator(ofHeader: "") == ",")
        #expect(CSVParser.separator(ofHeader: #""a;b""#) == ",")
    }

    @Test("Quoted fields keep their content exactly: commas, quotes, Vietnamese letters")
    func quotedContent() throws {
        #expect(try CSVParser.fields(#"cadre,CB1,"Nguyễn Thị Ánh Tuyết","Bí thư, Chủ tịch HĐND""#)
            == ["cadre", "CB1", "Nguyễn Thị Ánh Tuyết", "Bí thư, Chủ tịch HĐND"])
    }

    @Test("Fields split on the separator's byte: empty fields kept, decomposed letters (a combining mark after a comma) stay whole, a stray quote named")
    func byteSplitting() throws {
        #expect(try CSVParser.fields("a,,b,") == ["a", "", "b", ""])
        #expect(try CSVParser.fields("") == [""])
        // "Nguyễn" with its marks as separate scalars (NFD), one right after the comma.
        let decomposed = "cadre,\u{0301}x,Nguye\u{0302}\u{0303}n"
        #expect(try CSVParser.fields(decomposed) == ["cadre", "\u{0301}x", "Nguye\u{0302}\u{0303}n"])
        #expect(try CSVParser.fields(#"E1,"P,1","Lê ""Văn"" A",9"#) == ["E1", "P,1", "Lê \"Văn\" A", "9"])
        let stray = #expect(throws: ProtocolError.self) { try CSVParser.fields(#"E1,P"1,9"#) }
        #expect(stray?.message == "field 2: a quote inside an unquoted field")
    }
}
