import ArgumentParser
import CadreflowConsole
import Foundation

/// `cadreflow console`: the admin console. Interactive with line editing, history and
/// completion on a terminal; runs `-c` commands or piped standard input as a script.
/// Exit codes: 0 all went well, 1 some reply was an `ERR`, 2 the connection (a TLS
/// certificate the console does not trust included) or the login failed, 64 a usage error
/// (argument-parser's). `--tls` speaks TLS, verifying the server's certificate against the
/// system trust store or `--ca-file`, and its name; `--ca-file` and `--tls-server-name`
/// imply `--tls`.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Talk to a running service: interactive, -c 'COMMAND', or commands piped on standard input.",
        discussion: """
            Uploads read a local file: ORG IMPORT format=csv < units.csv. The password comes from $CADREFLOW_PASSWORD, \
            or is asked for without echo. When standard output is not a terminal, tables print as tab-separated rows \
            with a header (--raw: without). --tls connects with TLS and verifies the server's certificate (the system \
            trust store, or --ca-file) and its name (--host, or --tls-server-name); --ca-file and --tls-server-name imply \
            --tls. Exit codes: 0 ok, 1 an ERR reply, 2 connection, certificate or login failure, 64 usage.
            """
    )

    @Option(help: "Server host, or the path of the service's unix socket (one that begins with /, as server.unix_socket sets).") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 7420
    @Option(help: "Login.") var user = "admin"
    @Option(name: .shortAndLong, help: "Run this command (may be repeated) and exit.") var command: [String] = []
    @Flag(help: "Print replies as JSON objects.") var json = false
    @Flag(help: "Tab-separated rows without the header line (when standard output is not a terminal).") var raw = false
    @Flag(help: "Print DATA replies as CSV (RFC 4180, header first), e.g. a report for a spreadsheet.") var csv = false
    @Flag(help: "In a script (-c or piped input), stop at the first ERR reply.") var stopOnError = false
    @Flag(help: "Connect with TLS: the server's certificate must verify against the system trust store (or --ca-file) and name the host.")
    var tls = false
    @Option(help: ArgumentHelp("Trust the CA certificates in this PEM file instead of the system trust store (implies --tls).", valueName: "path"))
    var caFile: String?
    @Option(help: ArgumentHelp("The name the server's certificate must carry, when it is not --host (implies --tls).", valueName: "name"))
    var tlsServerName: String?
    @Option(help: ArgumentHelp("Seconds to wait for the connection, the TLS handshake and the greeting.", valueName: "seconds"))
    var connectTimeout = 10

    func validate() throws {
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be at least 1 second") }
        if let caFile, caFile.isEmpty { throw ValidationError("--ca-file needs a path") }
        if let tlsServerName, tlsServerName.isEmpty { throw ValidationError("--tls-server-name needs a name") }
        if [json, csv, raw].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --csv and --raw") }
    }

    /// TLS when asked for, by --tls or by the options that only TLS uses.
    private var tlsOptions: TLSClientOptions? {
        guard tls || caFile != nil || tlsServerName != nil else { return nil }
        return TLSClientOptions(caFile: caFile, serverName: tlsServerName)
    }

    func run() throws {
        let client: ProtocolClient
        do {
            client = try ProtocolClient(host: host, port: port, tls: tlsOptions, timeout: .seconds(connectTimeout))
        } catch {
            FileHandle.standardError.write(Data("cadreflow console: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let style: ConsoleSession.Style = json ? .json : csv ? .csv : (isatty(STDOUT_FILENO) == 1 && !raw ? .table : .tabSeparated(header: !raw))
        let session = try ConsoleSession(
            client: client, style: style, showsProgress: isatty(STDERR_FILENO) == 1,
            output: { print($0) },
            status: { text in FileHandle.standardError.write(Data(text.utf8)) }
        )
        guard let password = ProcessInfo.processInfo.environment["CADREFLOW_PASSWORD"]
            ?? (isatty(STDIN_FILENO) == 1 ? LineEditor.password(prompt: "password for \(user)@\(host): ") : nil) else {
            FileHandle.standardError.write(Data("cadreflow console: no password (set CADREFLOW_PASSWORD when not on a terminal)\n".utf8))
            throw ExitCode(2)
        }
        guard let login = try? session.login(user: user, password: password) else {
            FileHandle.standardError.write(Data("cadreflow console: the connection was lost while logging in\n".utf8))
            throw ExitCode(2)
        }
        if login.isError {
            FileHandle.standardError.write(Data("cadreflow console: \(login.lines.joined(separator: " "))\n".utf8))
            throw ExitCode(2)
        }
        do {
            try converse(session, client: client)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("cadreflow console: connection lost: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if session.sawError { throw ExitCode.failure }
    }

    /// Runs the commands: `-c`, interactive, or piped standard input.
    private func converse(_ session: ConsoleSession, client: ProtocolClient) throws {
        let interactive = command.isEmpty && isatty(STDIN_FILENO) == 1
        if !command.isEmpty {
            for line in command {
                guard try session.run(line), !(stopOnError && session.sawError) else { break }
            }
        } else if interactive {
            print(client.greeting)
            // $HOME first, as psql and redis-cli do; the account's home directory otherwise.
            let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FileManager.default.homeDirectoryForCurrentUser.path
            let history = home + "/.cadreflow_history"
            LineEditor.start(historyFile: history)
            // Tab completes the words of the commands this server serves (its HELP).
            if !json, let help = try? client.send("HELP") { LineEditor.complete(fromHelp: help.lines) }
            while let line = LineEditor.read(prompt: "cadreflow> ", historyFile: history) {
                do {
                    if try !session.run(line) { break }
                } catch {
                    print("connection lost: \(error)")
                    throw ExitCode(2)
                }
            }
        } else {
            while let line = readLine() {
                guard try session.run(line), !(stopOnError && session.sawError) else { break }
            }
        }
    }
}
