import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules

/// One command of the protocol: its name, who may run it, and its body.
///
/// A command that needs neither the database nor any other waiting (PING, HELP …) is
/// `inline`: the connection answers it on its event loop, the way Redis answers, without a
/// hop to a task. A `query` is one statement on the pool's read lanes, sent and answered
/// without a task. A `read` runs as a task, changes nothing and sees the session as it
/// was: the reads a client pipelines run at the same time (their replies still go out in
/// request order). A `session` command waits and changes the session (AUTH): it runs
/// alone, after what came before it. A `write` runs alone too, is audited, honours
/// `idem=`, and hands the server a ``CommandWrite`` so that its change, its idempotency
/// record and its audit row commit together.
public struct CommandSpec: Sendable {
    /// Answers on the event loop; never waits.
    public typealias InlineHandler = @Sendable (Request, inout SessionState, ServerContext) throws(ProtocolError) -> Reply
    /// Reads (database, engine) and answers; may run beside the connection's other reads.
    public typealias ReadHandler = @Sendable (Request, SessionState, ServerContext) async throws -> Reply
    /// Says which one statement answers and how its result becomes the reply: the
    /// connection hands it to the pool's read lanes and gets the reply back on its event
    /// loop, with no task in between (the fastest read: one-row look-ups).
    public typealias QueryHandler = @Sendable (Request, SessionState, ServerContext) throws -> PostgresRead<Reply>
    /// Waits (database) and changes the session; runs alone.
    public typealias SessionHandler = @Sendable (Request, inout SessionState, ServerContext) async throws -> Reply
    /// Checks the request and says how to make the change.
    public typealias WriteHandler = @Sendable (Request, inout SessionState, ServerContext) async throws -> CommandWrite

    /// How the command runs.
    public enum Body: Sendable {
        case inline(InlineHandler)
        case read(ReadHandler)
        case query(QueryHandler)
        case session(SessionHandler)
        case write(WriteHandler)
    }

    /// `UNIT ADD`, `PING` …
    public let name: String
    /// One-line usage.
    public let usage: String
    /// What it does.
    public let summary: String
    /// Roles allowed; nil means anyone, even before AUTH.
    public let roles: Set<Role>?
    /// Whether the audit trail records it even though it changes nothing (AUTH).
    public let auditedRead: Bool
    /// The body.
    public let body: Body

    /// Whether it changes state (and so is audited and honours `idem=`).
    public var changesState: Bool {
        if case .write = body { return true }
        return false
    }

    /// A command from its parts.
    public init(name: String, usage: String, summary: String, roles: Set<Role>?, auditedRead: Bool = false, body: Body) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.roles = roles
        self.auditedRead = auditedRead
        self.body = body
    }

    /// A command answered on the connection's event loop.
    public init(name: String, usage: String, summary: String, roles: Set<Role>?, inline: @escaping InlineHandler) {
        self.init(name: name, usage: usage, summary: summary, roles: roles, body: .inline(inline))
    }

    /// A command that reads.
    public init(name: String, usage: String, summary: String, roles: Set<Role>?, read: @escaping ReadHandler) {
        self.init(name: name, usage: usage, summary: summary, roles: roles, body: .read(read))
    }

    /// A command answered by one statement on the read lanes.
    public init(name: String, usage: String, summary: String, roles: Set<Role>?, query: @escaping QueryHandler) {
        self.init(name: name, usage: usage, summary: summary, roles: roles, body: .query(query))
    }

    /// A command that changes state.
    public init(name: String, usage: String, summary: String, roles: Set<Role>?, write: @escaping WriteHandler) {
        self.init(name: name, usage: usage, summary: summary, roles: roles, body: .write(write))
    }
}

/// Reads options and positional words with errors that name the field.
extension Request {
    /// The positional word at `index` (after the command words), or `ERR SYNTAX` naming it.
    public func word(_ index: Int, _ name: String) throws(ProtocolError) -> String {
        guard words.count > index, !words[index].isEmpty else { throw ProtocolError(.syntax, "missing <\(name)>") }
        return words[index]
    }

    /// A required option, or `ERR INVALID` naming it.
    public func required(_ key: String) throws(ProtocolError) -> String {
        guard let value = option(key), !value.isEmpty else { throw ProtocolError(.invalid, "\(key): required") }
        return value
    }

    /// Options other than the allowed ones are refused by name.
    public func allowOnly(_ keys: Set<String>) throws(ProtocolError) {
        if let unknown = options.first(where: { !keys.contains($0.key) && $0.key != "idem" }) {
            throw ProtocolError(.invalid, "\(unknown.key): unknown option (allowed: \(keys.sorted().joined(separator: ", ")))")
        }
    }
}
