import CadreflowCommands
import CadreflowProtocol
import CadreflowRules
@testable import CadreflowServer
import NIOCore
import Testing

@Suite("Upload collector: line ends, UTF-8, limits and the memory it holds")
struct UploadCollectorTests {
    typealias Outcome = Result<[String], ProtocolError>

    /// A collector behind a reference, so that `#expect` sees plain method calls (no `&`,
    /// no mutating member inside the macro).
    final class Feeder {
        private var collector: UploadCollector
        init(limit: Int) { collector = UploadCollector(limit: limit) }
        func bytes(_ bytes: [UInt8]) -> Outcome? { collector.take(.line(ByteBuffer(bytes: bytes))) }
        func text(_ line: String) -> Outcome? { bytes(Array(line.utf8)) }
        func overlong() -> Outcome? { collector.take(.overlong) }
        var held: Int { collector.heldLines }
        var capacity: Int { collector.heldCapacity }
    }

    @Test("CRLF: the \\r goes from every line (header, last line, the terminator); dot stuffing is undone; a BOM is left for the CSV reader")
    func crlf() {
        let feeder = Feeder(limit: 10_000)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(feeder.bytes(bom + Array("type,code,name\r".utf8)) == nil)
        #expect(feeder.text("unit,HN,\"Hà Nội, thủ đô\"\r") == nil)
        #expect(feeder.text("..dotted,x,y\r") == nil)
        #expect(feeder.text("\r") == nil)
        #expect(feeder.text("last,line,\r") == nil)
        #expect(feeder.held == 5)
        #expect(feeder.text(".\r") == Outcome.success(["\u{FEFF}type,code,name", "unit,HN,\"Hà Nội, thủ đô\"", ".dotted,x,y", "", "last,line,"]))
        #expect(feeder.held == 0)
    }

    @Test("Bytes that are not UTF-8 are refused naming their line; the lines read are let go at once", arguments: [
        [0x48, 0xE0, 0x20, 0x4E, 0xF4, 0x69] as [UInt8], // Latin-1 "Hà Nôi"
        [0x4E, 0x67, 0x75, 0x79, 0xEA, 0x6E] as [UInt8], // Windows-1258 "Nguyên"
        [0x61, 0x2C, 0xE0, 0x0D] as [UInt8], // 0xE0 alone before a CR
    ])
    func notUTF8(bad: [UInt8]) {
        let feeder = Feeder(limit: 10_000)
        #expect(feeder.text("type,code,name") == nil)
        #expect(feeder.text("unit,HN,Hà Nội") == nil)
        #expect(feeder.held == 2)
        #expect(feeder.bytes(Array("unit,X,".utf8) + bad) == nil)
        #expect(feeder.held == 0)
        #expect(feeder.capacity == 0)
        #expect(feeder.text("unit,Y,ok") == nil)
        #expect(feeder.bytes([0xFF]) == nil)
        #expect(feeder.held == 0)
        #expect(feeder.text(".") == Outcome.failure(ProtocolError(.invalid, "line 3: not UTF-8 text; save the file as \"CSV UTF-8\"")))
    }

    @Test("Past the limit nothing is held any more, however much follows; the refusal names the line that crossed it")
    func limit() {
        let feeder = Feeder(limit: 100)
        let line = String(repeating: "x", count: 29) // 30 bytes with its line end
        for _ in 0..<3 { #expect(feeder.text(line) == nil) }
        #expect(feeder.held == 3)
        #expect(feeder.text(line) == nil)
        #expect(feeder.held == 0)
        #expect(feeder.capacity == 0)
        for _ in 0..<10_000 { _ = feeder.text(line) }
        _ = feeder.bytes([0xE0])
        _ = feeder.overlong()
        #expect(feeder.held == 0)
        #expect(feeder.capacity == 0)
        #expect(feeder.text(".") == Outcome.failure(ProtocolError(.limit, "line 4: the upload is larger than 100 bytes")))
    }

    @Test("An overlong line is refused by its number, counted with the lines before and after it")
    func overlong() {
        let feeder = Feeder(limit: 10_000)
        #expect(feeder.text("a") == nil)
        #expect(feeder.text("b") == nil)
        #expect(feeder.overlong() == nil)
        #expect(feeder.held == 0)
        #expect(feeder.bytes([0xE0]) == nil)
        #expect(feeder.text(".") == Outcome.failure(ProtocolError(.limit, "line 3: longer than the line limit")))
    }

    @Test("Line numbers stay right after dot-stuffed and empty lines")
    func numbering() {
        let feeder = Feeder(limit: 10_000)
        #expect(feeder.text("..") == nil)
        #expect(feeder.text("") == nil)
        #expect(feeder.text("...x") == nil)
        #expect(feeder.bytes([0xC3]) == nil)
        #expect(feeder.text(".") == Outcome.failure(ProtocolError(.invalid, "line 4: not UTF-8 text; save the file as \"CSV UTF-8\"")))
    }
}

@Suite("Upload records: files as spreadsheets save them")
struct UploadRecordsTests {
    @Test("A BOM goes from the first line only; a CR from every line; quoted commas stay")
    func bomAndCarriageReturns() throws {
        let (header, records) = try UploadRecords.split(["\u{FEFF}type,code,name\r", "unit,HN,\"Hà Nội, thủ đô\"\r", "unit,\u{FEFF}X,x\r"])
        #expect(header == ["type", "code", "name"])
        #expect(records == [ImportRecord(line: 2, fields: ["unit", "HN", "Hà Nội, thủ đô"]), ImportRecord(line: 3, fields: ["unit", "\u{FEFF}X", "x"])])
    }

    @Test("A header without commas that splits on semicolons makes the whole file semicolon-separated")
    func semicolons() throws {
        let (header, records) = try UploadRecords.split(["\u{FEFF}exam;paper;score\r", "E1;P01;75,5\r", "E1;\"P;02\";\"80\"\r"])
        #expect(header == ["exam", "paper", "score"])
        #expect(records.map(\.fields) == [["E1", "P01", "75,5"], ["E1", "P;02", "80"]])
        let comma = try UploadRecords.split(["type,code,from", "merge,P1,HN.A;HN.B"])
        #expect(comma.records.map(\.fields) == [["merge", "P1", "HN.A;HN.B"]])
    }

    @Test("A broken line in a semicolon file is named by its line")
    func semicolonErrors() {
        let error = #expect(throws: ProtocolError.self) { try UploadRecords.split(["exam;paper;score", "E1;P01;80", "E2;\"open;1"]) }
        #expect(error == ProtocolError(.invalid, "line 3: field 2: unterminated quote"))
    }

    @Test("After a BOM and with semicolons the header checks see clean column names")
    func headerChecks() throws {
        let (header, records) = try UploadRecords.split(["\u{FEFF}type;code;name\r", "unit;HN;Thành phố Hà Nội\r"])
        let file = try OrgImportFile(header: header, records: records)
        #expect(file.units.map(\.unit.name) == ["Thành phố Hà Nội"])
    }
}
