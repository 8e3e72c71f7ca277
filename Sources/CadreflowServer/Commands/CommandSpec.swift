import CadreflowProtocol

/// One command of the protocol: its name, who may run it, whether it changes state
/// (and so is audited), and its handler.
///
/// A command that needs neither the database nor any other waiting (PING, HELP …) has an
/// inline handler: the connection answers it on its event loop, the way Redis answers,
/// without a hop to a task. Every other command runs as a task.
struct CommandSpec: Sendable {
    typealias Handler = @Sendable (Request, inout SessionState, ServerContext) async throws -> Reply
    typealias InlineHandler = @Sendable (Request, inout SessionState, ServerContext) throws(ProtocolError) -> Reply

    /// How the command runs.
    enum Body: Sendable {
        /// On the connection's event loop; it never waits.
        case inline(InlineHandler)
        /// As a task (it reads or writes the database).
        case task(Handler)
    }

    /// `UNIT ADD`, `PING` …
    let name: String
    /// One-line usage.
    let usage: String
    /// What it does.
    let summary: String
    /// Roles allowed; nil means anyone, even before AUTH.
    let roles: Set<Role>?
    /// Audited when true.
    let changesState: Bool
    let body: Body

    private init(name: String, usage: String, summary: String, roles: Set<Role>?, changesState: Bool, body: Body) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.roles = roles
        self.changesState = changesState
        self.body = body
    }

    /// A command that runs as a task (it reads or writes the database).
    init(name: String, usage: String, summary: String, roles: Set<Role>?, changesState: Bool, run: @escaping Handler) {
        self.init(name: name, usage: usage, summary: summary, roles: roles, changesState: changesState, body: .task(run))
    }

    /// A command answered on the connection's event loop (it never waits).
    init(name: String, usage: String, summary: String, roles: Set<Role>?, inline: @escaping InlineHandler) {
        self.init(name: name, usage: usage, summary: summary, roles: roles, changesState: false, body: .inline(inline))
    }
}

/// Reads options and positional words with errors that name the field.
extension Request {
    /// The positional word at `index` (after the command words), or `ERR SYNTAX` naming it.
    func word(_ index: Int, _ name: String) throws(ProtocolError) -> String {
        guard words.count > index, !words[index].isEmpty else { throw ProtocolError(.syntax, "missing <\(name)>") }
        return words[index]
    }

    /// A required option, or `ERR INVALID` naming it.
    func required(_ key: String) throws(ProtocolError) -> String {
        guard let value = option(key), !value.isEmpty else { throw ProtocolError(.invalid, "\(key): required") }
        return value
    }

    /// Options other than the allowed ones are refused by name.
    func allowOnly(_ keys: Set<String>) throws(ProtocolError) {
        if let unknown = options.first(where: { !keys.contains($0.key) && $0.key != "idem" }) {
            throw ProtocolError(.invalid, "\(unknown.key): unknown option (allowed: \(keys.sorted().joined(separator: ", ")))")
        }
    }
}
