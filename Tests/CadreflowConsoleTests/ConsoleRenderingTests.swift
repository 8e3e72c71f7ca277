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

    @Test("The progress bar shows share, sizes, rows, rate and time left")
    func progress() {
        let bar = UploadStreamer.Progress(bytes: 1_000_000, total: 4_000_000, rows: 25_000, seconds: 0.5).bar
        #expect(bar.hasPrefix("[######------------------]  25% 1.0 MB/4.0 MB 25000 rows 2.0 MB/s 0:01 left"))
    }
}
