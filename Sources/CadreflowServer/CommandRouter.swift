import CadreflowProtocol

/// Finds the command for a request (two-word names first) and checks the role.
struct CommandRouter: Sendable {
    private let byName: [String: CommandSpec]

    /// Every command of the protocol.
    static let standard: CommandRouter = {
        var specs = SessionCommands.all + UserCommands.all + UnitCommands.all + CadreCommands.all + EngineCommands.all + [ExamImportCommand.spec, OrgImportCommand.spec]
        specs.append(SessionCommands.help(specs + [SessionCommands.help([])]))
        return CommandRouter(specs)
    }()

    init(_ specs: [CommandSpec]) {
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
