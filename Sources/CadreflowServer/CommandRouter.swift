import CadreflowProtocol

/// Finds the command for a request (two-word names first).
struct CommandRouter: Sendable {
    private let byName: [String: CommandSpec]
    /// Every command, in the order mounted (for HELP).
    let specs: [CommandSpec]

    /// The server's own commands (session, accounts) and the mounted groups, with HELP over all.
    init(groups: [CommandGroup]) {
        var specs = SessionCommands.all + UserCommands.all + groups.flatMap(\.commands)
        specs.append(SessionCommands.help(specs + [SessionCommands.help([])]))
        self.specs = specs
        byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The command a request names, or `ERR UNKNOWN`.
    func route(_ request: Request) throws(ProtocolError) -> CommandSpec {
        let command = request.command
        if request.words.count > 1, let spec = byName[command + " " + request.subcommand] { return spec }
        if let spec = byName[command] { return spec }
        let known = byName.keys.contains { $0.hasPrefix(command + " ") }
        if known {
            throw ProtocolError(.unknown, "\(command) \(request.subcommand): unknown subcommand (try HELP \(command))")
        }
        throw ProtocolError(.unknown, "unknown command \(command.isEmpty ? "(empty line)" : command) (try HELP)")
    }
}
