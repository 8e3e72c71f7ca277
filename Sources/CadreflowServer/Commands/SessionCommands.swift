import CadreflowProtocol
import CadreflowRules

/// HELLO, PING, HELP, AUTH, WHOAMI, FORMAT, QUIT.
enum SessionCommands {
    static let all: [CommandSpec] = [
        CommandSpec(name: "HELLO", usage: "HELLO", summary: "the greeting again: server name, version, protocol", roles: nil, inline: { _, _, context in
            .ok("cadreflow \(context.version) protocol=1")
        }),
        CommandSpec(name: "PING", usage: "PING", summary: "liveness check", roles: nil, inline: { _, _, _ in
            .ok("PONG")
        }),
        CommandSpec(name: "QUIT", usage: "QUIT", summary: "close the connection", roles: nil, inline: { _, session, _ in
            session.closing = true
            return .ok("bye")
        }),
        CommandSpec(name: "AUTH", usage: "AUTH <user> <password>", summary: "log in", roles: nil, auditedRead: true, body: .session { request, session, context in
            let login = try request.word(1, "user")
            let password = try request.word(2, "password")
            let account = try await context.accounts.authenticate(login: login, password: password, logger: context.logger)
            guard context.sessions.openSession(account.login, limit: context.limits.maxConnectionsPerAccount) else {
                throw ProtocolError(.limit, "\(account.login) has \(context.limits.maxConnectionsPerAccount) sessions open already")
            }
            if let previous = session.account { context.sessions.closeSession(previous.login) }
            session.account = account
            return .ok("welcome \(account.login) role=\(account.role.rawValue)\(account.unit.map { " unit=\($0)" } ?? "")")
        }),
        CommandSpec(name: "WHOAMI", usage: "WHOAMI", summary: "who is logged in", roles: Set(Role.allCases), inline: { _, session, _ throws(ProtocolError) in
            let account = try session.requireAccount()
            return .table(DataTable(
                columns: ["login", "role", "unit", "head", "cadre", "peer"],
                rows: [[account.login, account.role.rawValue, account.unit ?? "", account.isHead ? "yes" : "no", account.cadre ?? "", session.peer]]
            ))
        }),
        CommandSpec(name: "FORMAT", usage: "FORMAT text|json", summary: "switch the reply format of this connection", roles: Set(Role.allCases), inline: { request, session, _ throws(ProtocolError) in
            guard let format = ReplyFormat(rawValue: (try request.word(1, "text|json")).lowercased()) else {
                throw ProtocolError(.invalid, "format: text or json")
            }
            session.format = format
            return .ok("format \(format.rawValue)")
        }),
    ]

    /// HELP and HELP <command>: from the registry, so it is always complete.
    static func help(_ registry: [CommandSpec]) -> CommandSpec {
        CommandSpec(name: "HELP", usage: "HELP [command]", summary: "the commands, or one command's usage", roles: nil, inline: { request, _, _ throws(ProtocolError) in
            let wanted = request.words.dropFirst().joined(separator: " ").uppercased()
            let matching = registry.filter { wanted.isEmpty || $0.name == wanted || $0.name.hasPrefix(wanted + " ") }
            guard !matching.isEmpty else { throw ProtocolError(.notFound, "no command \(wanted)") }
            return .table(DataTable(
                columns: ["command", "usage", "roles", "summary"],
                rows: matching.map { [$0.name, $0.usage, $0.roles.map { $0.map(\.rawValue).sorted().joined(separator: ",") } ?? "anyone", $0.summary] }
            ))
        })
    }
}
