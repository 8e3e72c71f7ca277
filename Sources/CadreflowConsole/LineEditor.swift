import CLibEdit
import Foundation

/// Interactive input through libedit: line editing, history (kept in a file) and
/// completion of command words.
public enum LineEditor {
    /// Words offered by Tab completion.
    static let words = [
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
                let matches = LineEditor.words.filter { $0.hasPrefix(wanted) }
                return Int(state) < matches.count ? strdup(matches[Int(state)]) : nil
            }
        }
        _ = read_history(historyFile)
    }

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
