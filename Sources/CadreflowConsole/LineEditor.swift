import CLibEdit
import Foundation
import Synchronization

/// Interactive input through libedit: line editing, history (kept in a file) and
/// completion of command words.
public enum LineEditor {
    /// Words offered by Tab completion: the server's command words once ``complete(from:)``
    /// has read its `HELP`, this list before.
    static let words = Mutex<[String]>(fallbackWords)

    /// The command words known to this build, for a server whose `HELP` cannot be read.
    static let fallbackWords = [
        "AUTH", "HELLO", "PING", "HELP", "WHOAMI", "FORMAT", "QUIT", "UNIT", "CADRE", "USER", "ORG", "IMPORT", "ADD", "SHOW", "LIST",
        "MOVE", "PASSWD", "DISABLE", "WORKFLOW", "HISTORY", "TIMER", "SCHEDULE", "RUN", "EXAM", "CYCLE", "ASSESS", "ROTATION", "REPORT",
    ]

    /// Sets a UTF-8 character locale (libedit drops every byte it cannot decode in the C
    /// locale: "Nguyễn" became "Nguyn"), sets completion up and loads the history file.
    public static func start(historyFile: String) {
        useUTF8Locale()
        cadreflow_set_completion { text, _, _ in
            rl_completion_matches(text) { prefix, state in
                guard let prefix else { return nil }
                let wanted = String(cString: prefix).uppercased()
                let matches = LineEditor.words.withLock { $0.filter { $0.hasPrefix(wanted) } }
                return Int(state) < matches.count ? strdup(matches[Int(state)]) : nil
            }
        }
        _ = read_history(historyFile)
    }

    /// Completes from the words of the server's commands, as a `HELP` reply lists them
    /// (`DATA` lines; the first column is the command name, e.g. `UNIT MERGE`).
    public static func complete(fromHelp lines: [String]) {
        guard lines.first?.hasPrefix("DATA ") == true else { return }
        var seen = Set<String>()
        var found: [String] = []
        for line in lines.dropFirst(2).dropLast() {
            let name = line.split(separator: "\t", maxSplits: 1).first.map(String.init) ?? ""
            for word in name.split(separator: " ").map(String.init) where seen.insert(word).inserted {
                found.append(word)
            }
        }
        if !found.isEmpty { words.withLock { $0 = found } }
    }

    /// The words Tab completes now.
    public static var completionWords: [String] { words.withLock { $0 } }

    /// Reads one line with the prompt; nil at end of input (Ctrl-D).
    public static func read(prompt: String, historyFile: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.trimmingCharacters(in: .whitespaces).isEmpty, keepsInHistory(line) {
            add_history(raw)
            _ = write_history(historyFile)
        }
        return line
    }

    /// The environment's character locale when it is UTF-8, else `C.UTF-8`.
    static func useUTF8Locale() {
        if let chosen = setlocale(LC_CTYPE, ""), String(cString: chosen).lowercased().replacingOccurrences(of: "-", with: "").contains("utf8") {
            return
        }
        _ = setlocale(LC_CTYPE, "C.UTF-8")
    }

    /// Lines holding a secret (`password=`, `old=`, AUTH) never reach the history file.
    static func keepsInHistory(_ line: String) -> Bool {
        let lower = line.lowercased()
        if lower.trimmingCharacters(in: .whitespaces).hasPrefix("auth ") { return false }
        return !["password=", "old="].contains { lower.contains($0) }
    }

    /// Reads a password from the terminal without echo.
    public static func password(prompt: String) -> String? {
        guard let raw = getpass(prompt) else { return nil }
        return String(cString: raw)
    }
}
