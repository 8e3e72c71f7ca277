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

    /// Sets completion up and loads the history file.
    public static func start(historyFile: String) {
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
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(raw)
            _ = write_history(historyFile)
        }
        return line
    }

    /// Reads a password from the terminal without echo.
    public static func password(prompt: String) -> String? {
        guard let raw = getpass(prompt) else { return nil }
        return String(cString: raw)
    }
}
