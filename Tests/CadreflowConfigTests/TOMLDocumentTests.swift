import CadreflowConfig
import Testing

@Suite("The TOML subset parser")
struct TOMLDocumentTests {
    @Test("Strings with escapes, integers, booleans, comments and sections")
    func values() throws {
        let document = try TOMLDocument(parsing: """
            # comment
            top = 1
            [server]
            name = "Nguyễn \\"A\\" \\\\ \\t\\n \\u0110" # trailing comment
            big = 1_000_000
            negative = -5
            on = true
            off = false
            """, source: "test.toml")
        #expect(document.entries["top"]?.value == .integer(1))
        #expect(document.entries["server.name"]?.value == .string("Nguyễn \"A\" \\ \t\n Đ"))
        #expect(document.entries["server.name"]?.line == 4)
        #expect(document.entries["server.big"]?.value == .integer(1_000_000))
        #expect(document.entries["server.negative"]?.value == .integer(-5))
        #expect(document.entries["server.on"]?.value == .bool(true))
        #expect(document.entries["server.off"]?.value == .bool(false))
    }

    @Test("Errors name the file and the line", arguments: [
        ("a = \"open", "line 1: unterminated string"),
        ("\n\na = \"bad \\q\"", "line 3: unknown escape"),
        ("[server\nx = 1", "line 1: expected a section header"),
        ("a = 1\na = 2", "line 2: duplicate key a"),
        ("a = bare", "line 1: bare is not a string"),
        ("a 1", "line 1: expected '='"),
        ("a = 1 2", "line 1: unexpected text"),
    ])
    func errors(text: String, expected: String) {
        let error = #expect(throws: ConfigurationError.self) { try TOMLDocument(parsing: text, source: "f.toml") }
        #expect(error?.message.hasPrefix("f.toml") == true)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should contain \(expected)")
    }
}
