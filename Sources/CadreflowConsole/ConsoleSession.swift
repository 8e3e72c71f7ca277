import CadreflowProtocol
import Foundation

/// Runs console commands against a server: prints replies for people (aligned tables) or
/// as JSON, sends `COMMAND < file` as an upload with a progress bar, and remembers
/// whether any command failed (scripts exit non-zero then).
public final class ConsoleSession {
    private let client: ProtocolClient
    private let json: Bool
    private let output: (String) -> Void
    private let status: (String) -> Void
    /// True once any reply was an error.
    public private(set) var sawError = false

    /// A session on a connected client. `output` gets replies (one call each), `status`
    /// raw progress text for a terminal (it redraws its line with `\r`).
    public init(client: ProtocolClient, json: Bool, output: @escaping (String) -> Void, status: @escaping (String) -> Void) throws {
        self.client = client
        self.json = json
        self.output = output
        self.status = status
    }

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
            try UploadStreamer.stream(file: file, to: client) { progress in
                self.status("\r" + progress.bar)
            }
            status("\n")
            reply = try client.reply()
        }
        show(reply)
        return command.uppercased() != "QUIT"
    }

    private func show(_ reply: ProtocolClient.Received) {
        if reply.isError { sawError = true }
        if !json, reply.lines.first?.hasPrefix("DATA ") == true {
            output(TableRenderer.render(reply.lines))
        } else {
            output(reply.lines.joined(separator: "\n"))
        }
    }
}
