import CadreflowConsole
import Testing

@Suite("Console rendering")
struct ConsoleRenderingTests {
    @Test("DATA blocks become aligned tables, escapes undone, with a row count")
    func table() {
        // Fields as the server escapes them: backslash as \\, tab as \t.
        let lines = ["DATA 3", "code\tname", "HN\tHà Nội", "BD1\t" + #"Phường "1" \\ x\ttab"#, "END"]
        let rendered = TableRenderer.render(lines).split(separator: "\n").map(String.init)
        #expect(rendered[0] == "code  name")
        #expect(rendered[1] == "────  " + String(repeating: "─", count: 18))
        #expect(rendered[2] == "HN    Hà Nội")
        #expect(rendered[3] == #"BD1   Phường "1" \ x⇥tab"#)
        #expect(rendered.last == "(2 rows)")
    }

    @Test("Columns align by display width: decomposed Vietnamese is one column a letter, CJK two, zero-width none")
    func displayWidth() {
        let composed = "Nguyễn Thị Lan"
        let decomposed = composed.decomposedStringWithCanonicalMappingPortable
        #expect(decomposed.unicodeScalars.count > composed.unicodeScalars.count)
        #expect(DisplayWidth.of(composed) == 14)
        #expect(DisplayWidth.of(decomposed) == 14)
        #expect(DisplayWidth.of("河内") == 4)
        #expect(DisplayWidth.of("a\u{200B}b") == 2)
        let rendered = TableRenderer.render(["DATA 4", "name\tunit", composed + "\tHN", decomposed + "\tHN", "河内市\tHN", "END"]).split(separator: "\n").map(String.init)
        let columns = rendered[2...4].map { line in DisplayWidth.of(String(line.prefix { $0 != "H" })) }
        #expect(Set(columns).count == 1, "\(rendered)")
    }

    @Test("Completion comes from the server's HELP: every word of every command name, once")
    func completionFromHelp() {
        LineEditor.complete(fromHelp: ["DATA 4", "command\tusage\troles\tsummary", "UNIT MERGE\tUNIT MERGE …\tadmin\tmerge", "UNIT SPLIT\t…\tadmin\tsplit", "CYCLE OPEN\t…\torganizer\topen", "END"])
        #expect(LineEditor.completionWords == ["UNIT", "MERGE", "SPLIT", "CYCLE", "OPEN"])
        LineEditor.complete(fromHelp: ["ERR AUTH log in first"])
        #expect(LineEditor.completionWords == ["UNIT", "MERGE", "SPLIT", "CYCLE", "OPEN"])
    }

    @Test("HELP fits 80 columns: the command with its summary and roles, the syntax below, wrapped and indented")
    func help() throws {
        let usage = "CADRE ADD <cadre> name=<text> unit=<unit> [position=<text>] [level=head|deputy|staff] [hometown=<code>] [born=<date>] [sex=m|f] [party_since=<date>]"
        let text = try #require(HelpRenderer.render(["DATA 2", "command\tusage\troles\tsummary", "CADRE ADD\t\(usage)\tadmin,organizer\tadd a cadre to a unit in your scope", "END"]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "CADRE ADD — add a cadre to a unit in your scope [admin,organizer]")
        #expect(lines[1].hasPrefix("    CADRE ADD <cadre> name=<text>"))
        #expect(lines.count >= 3)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 80 })
        #expect(lines.dropFirst(2).allSatisfy { $0.hasPrefix("      ") })
        #expect(lines.dropFirst().joined(separator: " ").split(separator: " ").joined(separator: " ") == usage)
        #expect(HelpRenderer.render(["DATA 2", "code\tname", "HN\tHà Nội", "END"]) == nil)
    }

    @Test("The progress bar shows share, sizes, rows, rate and time left")
    func progress() {
        let bar = UploadStreamer.Progress(bytes: 1_000_000, total: 4_000_000, rows: 25_000, seconds: 0.5).bar
        #expect(bar.hasPrefix("[######------------------]  25% 1.0 MB/4.0 MB 25000 rows 2.0 MB/s 0:01 left"))
    }
}

extension String {
    /// NFD without Foundation: each precomposed Vietnamese letter as its base and marks.
    fileprivate var decomposedStringWithCanonicalMappingPortable: String {
        var out = String.UnicodeScalarView()
        let table: [Character: String] = ["ễ": "e\u{302}\u{303}", "ị": "i\u{323}"]
        for character in self {
            if let parts = table[character] { out.append(contentsOf: parts.unicodeScalars) } else { out.append(contentsOf: character.unicodeScalars) }
        }
        return String(out)
    }

    @Test("--csv: a report as a spreadsheet reads it, Vietnamese kept, commas, quotes and line breaks quoted, CRLF line ends")
    func csv() {
        // As the server sends them: a tab in a field is \t, a newline \n.
        let lines = ["DATA 3", "unit\tname\tA_share", #"HN.A\tPhường "Hoàn Kiếm", Hà Nội\t16,6%"#.replacingOccurrences(of: #"\t"#, with: "\t"), #"HN.B"# + "\t" + #"Ba Đình\nmới"# + "\t40.0%", "END"]
        let expected = "unit,name,A_share\r\n" + #"HN.A,"Phường ""Hoàn Kiếm"", Hà Nội","16,6%""# + "\r\n" + "HN.B,\"Ba Đình\nmới\",40.0%\r"
        #expect(CSVRenderer.render(lines) == expected)
    }
}
