import CadreflowConfig
import Testing

@Suite("The TOML subset parser: values")
struct TOMLDocumentTests {
    private func parse(_ text: String) throws -> [String: TOMLValue] {
        try TOMLDocument(parsing: text, source: "test.toml").values
    }

    @Test("Comments, blank lines, sections, top-level keys and line numbers")
    func structure() throws {
        let document = try TOMLDocument(parsing: """
            # a comment

            top = 1
              # an indented comment
            [server]   # a comment after a header
            \tname-2_x\t=\t"v"\t# tabs around
            [ database ]
            pool_size=3#no spaces
            """, source: "test.toml")
        #expect(document.values == [
            "top": .integer(1), "server.name-2_x": .string("v"), "database.pool_size": .integer(3),
        ])
        #expect(document.entries["top"]?.line == 3)
        #expect(document.entries["server.name-2_x"]?.line == 6)
        #expect(document.entries["database.pool_size"]?.line == 8)
        #expect(document.sections == ["server": 5, "database": 7])
    }

    @Test("An empty file, or one of only comments, has no entries")
    func empty() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("# nothing\n\n   \n# here\n").isEmpty)
    }

    @Test("Integers: sign, underscores, zero and the limits of Int", arguments: [
        ("0", 0), ("-0", 0), ("+0", 0), ("42", 42), ("+42", 42), ("-17", -17),
        ("1_000", 1_000), ("1_2_3", 123), ("-5_000_000", -5_000_000),
        ("9_223_372_036_854_775_807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func integers(text: String, expected: Int) throws {
        #expect(try parse("n = \(text)") == ["n": .integer(expected)])
    }

    @Test("Booleans")
    func booleans() throws {
        #expect(try parse("on = true\noff = false") == ["on": .bool(true), "off": .bool(false)])
    }

    @Test("Strings and every escape", arguments: [
        (#""""#, ""),
        (#""plain text""#, "plain text"),
        (#""say \"hi\"""#, "say \"hi\""),
        (#""back\\slash""#, "back\\slash"),
        (#""line\nbreak""#, "line\nbreak"),
        (#""tab\there""#, "tab\there"),
        (#""\u00e9\u00C9""#, "éÉ"),
        (#""\u0110\u1EC7""#, "Đệ"),
        (#""\u0041\u005c""#, "A\\"),
        (##""# not a comment""##, "# not a comment"),
        ("\"raw\ttab\"", "raw\ttab"),
        (#""C:\\var\\data""#, "C:\\var\\data"),
    ])
    func strings(literal: String, expected: String) throws {
        #expect(try parse("s = \(literal) # comment") == ["s": .string(expected)])
    }

    @Test("CRLF line endings and a byte-order mark")
    func lineEndings() throws {
        let document = try TOMLDocument(parsing: "\u{FEFF}# bom\r\n[server]\r\nlisten = \"a:1\"\r\nx = 2", source: "t")
        #expect(document.values == ["server.listen": .string("a:1"), "server.x": .integer(2)])
        #expect(document.entries["server.x"]?.line == 4)
    }

    @Test("Vietnamese text round-trips exactly, composed and decomposed")
    func vietnamese() throws {
        let composed = "Thành phố Hồ Chí Minh — dữ liệu của tôi"
        let decomposed = composed.decomposedStringWithCanonicalMapping
        let values = try parse("a = \"\(composed)\"\nb = \"\(decomposed)\"\n")
        guard case .string(let a) = values["a"], case .string(let b) = values["b"] else {
            Issue.record("expected two strings, got \(values)")
            return
        }
        #expect(Array(a.unicodeScalars) == Array(composed.unicodeScalars))
        #expect(Array(b.unicodeScalars) == Array(decomposed.unicodeScalars))
    }

    @Test("A string value written back with description reads back the same", arguments: [
        "plain", "quote \" and backslash \\", "new\nline\tand tab", "bell \u{7} and del \u{7F}",
        "Nguyễn Thị Minh Khai, Quận 1", "",
    ])
    func descriptionRoundTrip(text: String) throws {
        #expect(try parse("k = \(TOMLValue.string(text))") == ["k": .string(text)])
    }

    @Test("Type names and descriptions")
    func valueDescriptions() {
        #expect(TOMLValue.string("x").typeName == "a string")
        #expect(TOMLValue.integer(1).typeName == "an integer")
        #expect(TOMLValue.bool(true).typeName == "a boolean")
        #expect(TOMLValue.integer(-3).description == "-3")
        #expect(TOMLValue.bool(false).description == "false")
        #expect(TOMLValue.string("a\"b").description == #""a\"b""#)
    }
}
