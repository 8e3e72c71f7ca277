import CadreflowConfig
import Testing

@Suite("The TOML subset parser: every error names the file and the line")
struct TOMLErrorTests {
    @Test("Syntax errors", arguments: [
        ("a = \"open", 1, "unterminated string"),
        ("a = \"ends in a backslash\\", 1, "unterminated string"),
        ("\n\na = \"bad \\q\"", 3, "unknown escape \\q in string"),
        ("a = \"carriage \\r\"", 1, "unknown escape \\r"),
        ("a = \"\\u12\"", 1, "\\u needs four hex digits"),
        ("a = \"\\u12G4\"", 1, "\\u needs four hex digits"),
        ("a = \"\\uD800\"", 1, "\\uD800 is not a Unicode scalar value"),
        ("a = \"bell \u{7}\"", 1, "control character U+0007 in string"),
        ("[server\nx = 1", 1, "expected a section header like [database]"),
        ("[]", 1, "expected a section header"),
        ("[[server]]", 1, "expected a section header"),
        ("# c\n[a.b]", 2, "only one level of sections"),
        ("[server] x", 1, "unexpected text after the section header [server]"),
        ("[a]\nx = 1\n[a]", 3, "duplicate section [a] (first on line 1)"),
        ("a = 1\na = 2", 2, "duplicate key a (first set on line 1)"),
        ("[s]\na = 1\n\n# c\na = \"x\"", 5, "duplicate key s.a (first set on line 2)"),
        ("a = bare", 1, "bare is not a string, integer or boolean"),
        ("a = 'single'", 1, "'single' is not a string, integer or boolean"),
        ("a = 1.5", 1, "1.5 is not a string, integer or boolean"),
        ("a = True", 1, "True is not a string, integer or boolean"),
        ("a = 12ab", 1, "12ab is not a string, integer or boolean"),
        ("a = _1", 1, "_1 is not a string, integer or boolean"),
        ("a = 1__0", 1, "integer 1__0: an underscore must sit between digits"),
        ("a = 1_", 1, "integer 1_: an underscore must sit between digits"),
        ("a = 007", 1, "integer 007 has a leading zero"),
        ("a = -0_1", 1, "integer -0_1 has a leading zero"),
        ("a = 9223372036854775808", 1, "integer 9223372036854775808 is out of range"),
        ("a 1", 1, "expected '=' after a"),
        ("a.b = 1", 1, "expected '=' after a"),
        ("= 1", 1, "expected key = value"),
        ("\"quoted\" = 1", 1, "expected key = value"),
        ("a =", 1, "missing value for a"),
        ("a = # comment", 1, "missing value for a"),
        ("a = 1 2", 1, "unexpected text after the value of a"),
        ("a = \"x\" y", 1, "unexpected text after the value of a"),
        ("x = 1\r\ny = \"unterminated\r\nz = 3", 2, "unterminated string"),
    ])
    func syntaxErrors(text: String, line: Int, expected: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try TOMLDocument(parsing: text, source: "config/cadreflow.toml")
        }
        let prefix = "config/cadreflow.toml line \(line): \(expected)"
        #expect(error?.message.hasPrefix(prefix) == true, "got: \(error?.message ?? "no error")")
    }

    @Test("The error's description and localizedDescription are its message")
    func errorText() {
        let error = ConfigurationError("f.toml line 7: unterminated string")
        #expect(error.description == "f.toml line 7: unterminated string")
        #expect(error.localizedDescription == "f.toml line 7: unterminated string")
    }
}
