import CadreflowProtocol
import Foundation

/// Runs console commands against a server: prints replies for people (aligned tables), for
/// scripts (tab-separated rows) or as JSON, sends `COMMAND < file` as an upload (with a
/// progress bar on a terminal), and remembers whether any command failed (scripts exit
/// non-zero then).
public final class ConsoleSession {
    /// How `DATA` replies are printed.
    public enum Style: Sendable, Equatable {
        /// Aligned columns with a rule and a row count (a terminal).
        case table
        /// Tab-separated rows, fields escaped as the protocol sends them, with or without
        /// the header line (standard output is not a terminal: for cut, sort, awk).
        case tabSeparated(header: Bool)
        /// Comma-separated values (RFC 4180: fields with a comma, a quote or a line break
        /// quoted, quotes doubled, CRLF line ends), header first: for a spreadsheet.
        case csv
        /// One JSON object per reply.
        case json
    }

    private let client: ProtocolClient
    private let style: Style
    private let showsProgress: Bool
    private let output: (String) -> Void
    private let status: (String) -> Void
    /// True once any reply was an error.
    public private(set) var sawError = false

    /// A session on a connected client. `output` gets replies (one call each), `status`
    /// messages and, when `showsProgress`, progress text for a terminal (it redraws its
    /// line with `\r`).
    public init(
        client: ProtocolClient, style: Style, showsProgress: Bool, output: @escaping (String) -> Void, status: @escaping (String) -> Void
    ) throws {
        self.client = client
        self.style = style
        self.showsProgress = showsProgress
        self.output = output
        self.status = status
    }

    private var json: Bool { style == .json }

    /// Logs in; returns the reply for the caller to show.
    public func login(user: String, password: String) throws -> ProtocolClient.Received {
        let reply = try client.send("AUTH \(RequestQuoting.quote(user)) \(RequestQuoting.quote(password))")
        if reply.isError {
            sawError = true
        } else if json {
            _ = try client.send("FORMAT json")
        }
        return reply
    }

    /// Runs one console line. Returns false when the session should end (QUIT).
    @discardableResult
    public func run(_ line: String) throws -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return true }
        var command = trimmed
        var file: String?
        if let marker = trimmed.range(of: " < ", options: .backwards) {
            command = String(trimmed[..<marker.lowerBound])
            file = String(trimmed[marker.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        var reply = try client.send(command)
        if reply.isGo {
            guard let file else {
                status("the server waits for upload lines: end your command with < file")
                try client.write(Array(".\n".utf8))
                reply = try client.reply()
                show(reply)
                return true
            }
            let showsProgress = self.showsProgress
            try UploadStreamer.stream(file: file, to: client) { progress in
                if showsProgress { self.status("\r" + progress.bar) }
            }
            if showsProgress { status("\n") }
            reply = try client.reply()
        }
        show(reply, help: command.uppercased().hasPrefix("HELP"))
        return command.uppercased() != "QUIT"
    }

    private func show(_ reply: ProtocolClient.Received, help: Bool = false) {
        if reply.isError { sawError = true }
        if help, style == .table, let text = HelpRenderer.render(reply.lines) {
            output(text)
            return
        }
        guard reply.lines.first?.hasPrefix("DATA ") == true else {
            output(reply.lines.joined(separator: "\n"))
            return
        }
        switch style {
        case .table:
            output(TableRenderer.render(reply.lines))
        case .tabSeparated(let header):
            // DATA n, the header, the rows, END: the rows (and header) as sent, tab-separated.
            let body = reply.lines.dropFirst().dropLast().dropFirst(header ? 0 : 1)
            if !body.isEmpty { output(body.joined(separator: "\n")) }
        case .csv:
            output(CSVRenderer.render(reply.lines))
        case .json:
            output(reply.lines.joined(separator: "\n"))
        }
    }
}
