import Foundation
import Testing

/// Uploads the way spreadsheets save files and the console sends them, through a real socket.
@Suite("Spreadsheet files as uploads, through real sockets")
struct SpreadsheetUploadTests {
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// A file as Excel's "CSV UTF-8" writes it: a BOM, then the lines each ended by CRLF.
    private static func spreadsheet(_ lines: [String], bom: Bool = true) -> [UInt8] {
        (bom ? Self.bom : []) + Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// Sends `command`, and after its GO the file the way the console's uploader does:
    /// lines that begin with `.` dot-stuffed, a last `\n` if missing, then `.`.
    private func upload(_ client: TestClient, _ command: String, file: [UInt8]) async throws -> [String] {
        let go = try await client.send(command)
        guard go.first?.hasPrefix("GO") == true else { return go }
        var body: [UInt8] = []
        var lineStart = true
        for byte in file {
            if lineStart, byte == UInt8(ascii: ".") { body.append(UInt8(ascii: ".")) }
            body.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
        }
        if !lineStart { body.append(UInt8(ascii: "\n")) }
        body += Array(".\n".utf8)
        try await client.sendRaw(body)
        return try await client.reply()
    }

    /// A SHOW command's one row, checked to the byte.
    private func expectRow(_ client: TestClient, _ command: String, startsWith expected: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let rows = try await client.rows(command)
        #expect(rows.count == 1, "\(command): \(rows)", sourceLocation: sourceLocation)
        let shown = Array((rows.first ?? []).prefix(expected.count))
        #expect(shown == expected, sourceLocation: sourceLocation)
        #expect(shown.map { Array($0.utf8) } == expected.map { Array($0.utf8) }, "\(command): not the same bytes", sourceLocation: sourceLocation)
    }

    @Test("ORG IMPORT of an Excel \"CSV UTF-8\" file: BOM, CRLF, diacritics and quoted commas come back exactly")
    func excelFile() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        let file = Self.spreadsheet([
            "type,code,name,parent,kind,unit,hometown,born,sex,position",
            "unit,HN,Thành phố Hà Nội,,city,,,,,",
            "unit,HN.BD,\"Phường Trúc Bạch, Ba Đình\",HN,ward,,,,,",
            "cadre,CB1,Nguyễn Thị Ánh Tuyết,,,HN.BD,\"Xã Đông Ngạc, Từ Liêm\",1975-03-08,f,\"Bí thư, Chủ tịch HĐND\"",
            "cadre,CB2,\"Trần Văn \"\"Bảy\"\"\",,,HN,Phường Ô Chợ Dừa,1982-11-30,m,",
        ])
        #expect(try await upload(admin, "ORG IMPORT format=csv", file: file) == ["OK imported 4 rows (2 units, 2 cadres)"])
        try await expectRow(admin, "UNIT SHOW HN", startsWith: ["HN", "Thành phố Hà Nội", "", "city", "", "HN"])
        try await expectRow(admin, "UNIT SHOW HN.BD", startsWith: ["HN.BD", "Phường Trúc Bạch, Ba Đình", "HN", "ward", "", "HN/HN.BD"])
        try await expectRow(admin, "CADRE SHOW CB1", startsWith: [
            "CB1", "Nguyễn Thị Ánh Tuyết", "HN.BD", "Bí thư, Chủ tịch HĐND", "staff", "Xã Đông Ngạc, Từ Liêm", "1975-03-08", "f",
        ])
        try await expectRow(admin, "CADRE SHOW CB2", startsWith: ["CB2", "Trần Văn \"Bảy\"", "HN", "", "staff", "Phường Ô Chợ Dừa", "1982-11-30", "m"])
        #expect(try await admin.send("PING") == ["OK PONG"])
    }

    @Test("A Latin-1 or Windows-1258 file is refused naming the line, and nothing is stored")
    func legacyCodePage() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        // "Hàng" in Latin-1: 0xE0 for à, alone, on line 3.
        let aGrave: [UInt8] = [0xE0]
        var latin1 = Self.spreadsheet(["type,code,name,parent", "unit,HN,Ha Noi,"], bom: false)
        latin1 += Array("unit,HK,H".utf8)
        latin1 += aGrave
        latin1 += Array("ng,HN\r\n".utf8)
        #expect(try await upload(admin, "ORG IMPORT format=csv", file: latin1) == [#"ERR INVALID line 3: not UTF-8 text; save the file as "CSV UTF-8""#])
        #expect(try await admin.send("PING") == ["OK PONG"])
        // "Nguyên" in Windows-1258: 0xEA for ê, on line 2 of an exam file.
        let eCircumflex: [UInt8] = [0xEA]
        var cp1258 = Array("exam,paper,score\r\nE1,Nguy".utf8)
        cp1258 += eCircumflex
        cp1258 += Array("n,50\r\n".utf8)
        #expect(try await upload(admin, "EXAM IMPORT written format=csv", file: cp1258) == [#"ERR INVALID line 2: not UTF-8 text; save the file as "CSV UTF-8""#])
        #expect(try await admin.send("PING") == ["OK PONG"])
        #expect(try server.count("SELECT count(*) FROM units") == 0)
        #expect(try server.count("SELECT count(*) FROM cadres") == 0)
    }

    @Test("A semicolon-separated file is read with `;`: commas are content, quoted semicolons stay, scores take a decimal comma")
    func semicolons() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        let file = Self.spreadsheet([
            "type;code;name;parent;unit;position",
            "unit;HN;Thành phố Hà Nội;;;",
            "unit;HN.HK;Phường Hoàn Kiếm, Hà Nội;HN;;",
            "cadre;CB1;Lê Thị Mai;;HN.HK;\"Trưởng phòng; kiêm nhiệm\"",
        ])
        #expect(try await upload(admin, "ORG IMPORT format=csv", file: file) == ["OK imported 3 rows (2 units, 1 cadres)"])
        try await expectRow(admin, "UNIT SHOW HN.HK", startsWith: ["HN.HK", "Phường Hoàn Kiếm, Hà Nội", "HN"])
        try await expectRow(admin, "CADRE SHOW CB1", startsWith: ["CB1", "Lê Thị Mai", "HN.HK", "Trưởng phòng; kiêm nhiệm"])

        // 75,5 passes the score check (then the exam is unknown); 100,5 is read as 100.5.
        let passes = Self.spreadsheet(["exam;paper;score", "E1;P01;75,5"])
        #expect(try await upload(admin, "EXAM IMPORT written format=csv", file: passes) == ["ERR NOTFOUND line 2: exam E1 does not exist"])
        let quoted = Self.spreadsheet(["exam,paper,score", "E1,P01,\"75,5\""], bom: false)
        #expect(try await upload(admin, "EXAM IMPORT written format=csv", file: quoted) == ["ERR NOTFOUND line 2: exam E1 does not exist"])
        let over = Self.spreadsheet(["exam;paper;score", "E1;P01;80", "E1;P02;100,5"])
        #expect(try await upload(admin, "EXAM IMPORT written format=csv", file: over) == ["ERR INVALID line 3: score 100,5 out of range 0..100"])
        let garbled = Self.spreadsheet(["exam;paper;score", "E1;P01;7,5,1"])
        #expect(try await upload(admin, "EXAM IMPORT written format=csv", file: garbled) == ["ERR INVALID line 2: score 7,5,1 is not a number (write 75.5 or 75,5)"])
        #expect(try await admin.send("PING") == ["OK PONG"])
    }

    @Test("An upload past max_upload_bytes gets ERR LIMIT naming the line that crossed it; the connection stays in step")
    func pastTheLimit() async throws {
        let limit = 4_096
        let server = try await ServerHarness.start(limits: ServerHarness.limits(maxUploadBytes: limit))
        defer { server.stop() }
        let admin = try await server.admin()
        var lines = ["type,code,name,parent", "unit,HN,Thành phố Hà Nội,"]
        lines += (0..<2_000).map { "unit,U\($0),Đơn vị số \($0) của thành phố,HN" }
        var total = Self.bom.count // the collector counts the BOM too
        let crossing = (lines.firstIndex { line in total += line.utf8.count + 1; return total > limit } ?? -1) + 1
        #expect(crossing > 2)
        let reply = try await upload(admin, "ORG IMPORT format=csv", file: Self.spreadsheet(lines))
        #expect(reply == ["ERR LIMIT line \(crossing): the upload is larger than \(limit) bytes"])
        #expect(try await admin.send("PING") == ["OK PONG"])
        // The next upload on the same connection starts afresh.
        let small = Self.spreadsheet(["type,code,name,parent", "unit,HN,Thành phố Hà Nội,"])
        #expect(try await upload(admin, "ORG IMPORT format=csv", file: small) == ["OK imported 1 rows (1 units, 0 cadres)"])
        #expect(try server.count("SELECT count(*) FROM units") == 1)
    }
}
