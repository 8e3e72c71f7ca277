import CadreflowProtocol
import Testing

@Suite("Request parsing")
struct RequestParserTests {
    let parser = RequestParser(maxArguments: 8)

    @Test("Words, options, quoted values with escapes, Vietnamese text")
    func parses() throws {
        let request = try parser.parse(#"unit ADD HN.BD name="Phường Láng Hạ \"A\" \\ tab\there" parent=HN kind=ward"#)
        #expect(request.command == "UNIT")
        #expect(request.subcommand == "ADD")
        #expect(request.words == ["unit", "ADD", "HN.BD"])
        #expect(request.option("name") == "Phường Láng Hạ \"A\" \\ tab\there")
        #expect(request.option("parent") == "HN")
        #expect(request.options.map(\.key) == ["name", "parent", "kind"])
        let spaced = try parser.parse("  PING   \t  x  ")
        #expect(spaced.words == ["PING", "x"])
        #expect(try parser.parse(#"AUTH admin "p a=ss""#).words == ["AUTH", "admin", "p a=ss"])
        #expect(try parser.parse("ASSESS SELF CB1 2024-05 note=").option("note") == "")
        #expect(try parser.parse("X a=b=c").option("a") == "b=c")
        #expect(try parser.parse("X tên=Hà").option("tên") == "Hà")
        #expect(try parser.parse("X a.b=c").words == ["X", "a.b=c"])
        #expect(try parser.parse(#"X "" "ends with \\" k="""#).words == ["X", "", "ends with \\"])
        #expect(try parser.parse(#"X k="" "#).option("k") == "")
    }

    @Test("Bytes: a trailing CR is ignored; invalid UTF-8 is a syntax error")
    func bytes() throws {
        #expect(try parser.parse(Array("PING\r".utf8)).words == ["PING"])
        let error = #expect(throws: ProtocolError.self) { try parser.parse([0x55, 0xC3, 0x28]) }
        #expect(error?.code == .syntax)
    }

    @Test("Syntax errors name the column, counted in characters", arguments: [
        (#"UNIT ADD X name="no end"#, "column 17: unterminated quote"),
        (#"UNIT ADD X name="bad \q escape""#, "column 22: unknown escape \\q"),
        (#"UNIT ADD X name=ab"c"#, "column 19: a quote inside a word"),
        (#"UNIT ADD X name="a"b"#, "column 20: text after a closing quote"),
        (#"UNIT ADD Hà name="Hạ"Nội"#, "column 22: text after a closing quote"),
        (#"UNIT ADD Hà name="x \ạ""#, "column 21: unknown escape \\ạ"),
    ])
    func syntaxErrors(line: String, message: String) {
        let error = #expect(throws: ProtocolError.self) { try parser.parse(line) }
        #expect(error?.code == .syntax)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "") should contain \(message)")
    }

    @Test("Too many arguments is a limit error")
    func limit() {
        let error = #expect(throws: ProtocolError.self) { try parser.parse("A 1 2 3 4 5 6 7 8 9") }
        #expect(error?.code == .limit)
    }

    @Test("Random bytes never crash the parser (fixed seed, many iterations)")
    func fuzz() {
        var generator = SplitMix(seed: 2024)
        let alphabet: [UInt8] = Array("AUTH UNIT ADD =\"\\ntq éạ\t\r".utf8) + [0xC3, 0x28, 0xFF, 0x00, 0x80]
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 60)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            do {
                let request = try parser.parse(bytes)
                #expect(request.words.count + request.options.count <= 8)
            } catch {
                #expect(error.code == .syntax || error.code == .limit)
            }
        }
    }
}

/// A small deterministic generator for the fuzz test.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Request quoting")
struct RequestQuotingTests {
    @Test("Quoted values parse back exactly; plain words stay plain")
    func roundTrip() throws {
        let parser = RequestParser()
        #expect(RequestQuoting.quote("HN.BD") == "HN.BD")
        for value in ["", "Phường Láng Hạ \"A\" \\ x", "a=b", "tab\there", "two\nlines", "mật khẩu"] {
            let request = try parser.parse("AUTH admin \(RequestQuoting.quote(value)) note=\(RequestQuoting.quote(value))")
            #expect(request.words == ["AUTH", "admin", value])
            #expect(request.option("note") == value)
        }
    }
}
