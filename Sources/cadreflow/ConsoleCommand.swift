import ArgumentParser
import CadreflowConsole
import Foundation

/// `cadreflow console`: the admin console. Interactive with line editing, history and
/// completion on a terminal; runs `-c` commands or piped standard input as a script,
/// exiting non-zero when any reply is an error.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Talk to a running service: interactive, -c 'COMMAND', or commands piped on standard input.",
        discussion: "Uploads read a local file: ORG IMPORT format=csv < units.csv. The password comes from $CADREFLOW_PASSWORD, or is asked for without echo."
    )

    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 7420
    @Option(help: "Login.") var user = "admin"
    @Option(name: .shortAndLong, help: "Run this command (may be repeated) and exit.") var command: [String] = []
    @Flag(help: "Print replies as JSON objects.") var json = false

    func run() throws {
        let client: ProtocolClient
        do {
            client = try ProtocolClient(host: host, port: port)
        } catch {
            FileHandle.standardError.write(Data("cadreflow console: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let interactive = command.isEmpty && isatty(STDIN_FILENO) == 1
        let session = try ConsoleSession(
            client: client, json: json,
            output: { print($0) },
            status: { text in FileHandle.standardError.write(Data(text.utf8)) }
        )
        guard let password = ProcessInfo.processInfo.environment["CADREFLOW_PASSWORD"]
            ?? (isatty(STDIN_FILENO) == 1 ? LineEditor.password(prompt: "password for \(user)@\(host): ") : nil) else {
            FileHandle.standardError.write(Data("cadreflow console: no password (set CADREFLOW_PASSWORD when not on a terminal)\n".utf8))
            throw ExitCode.failure
        }
        let login = try session.login(user: user, password: password)
        if login.isError {
            FileHandle.standardError.write(Data("cadreflow console: \(login.lines.joined(separator: " "))\n".utf8))
            throw ExitCode.failure
        }
        if !command.isEmpty {
            for line in command where try !session.run(line) { break }
        } else if interactive {
            print(client.greeting)
            // $HOME first, as psql and redis-cli do; the account's home directory otherwise.
            let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FileManager.default.homeDirectoryForCurrentUser.path
            let history = home + "/.cadreflow_history"
            LineEditor.start(historyFile: history)
            while let line = LineEditor.read(prompt: "cadreflow> ", historyFile: history) {
                do {
                    if try !session.run(line) { break }
                } catch {
                    print("connection lost: \(error)")
                    throw ExitCode.failure
                }
            }
        } else {
            while let line = readLine() {
                if try !session.run(line) { break }
            }
        }
        if session.sawError { throw ExitCode.failure }
    }
}
