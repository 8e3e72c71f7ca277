import CadreflowEngine
import CadreflowPostgres
import CadreflowProtocol
import Logging
import NIOCore

/// Runs one connection's requests: parses and routes a line, checks the role, answers
/// inline commands at once (``prepare(_:session:)``, on the event loop) and runs the others
/// (``perform(_:_:_:session:)``, in a task): idempotency, the handler, the audit row.
struct CommandExecutor: Sendable {
    let context: ServerContext
    let router: CommandRouter
    let parser: RequestParser
    let peer: String

    /// What a request line needs: a reply already made, or a command to run in a task.
    enum Prepared {
        case reply(Reply)
        case task(CommandSpec, CommandSpec.Handler, Request)
    }

    /// Parses, routes and checks one line; runs it at once when its command is inline.
    func prepare(_ frame: LineFrame, session: inout SessionState) -> Prepared {
        let request: Request
        switch frame {
        case .overlong:
            return .reply(.error(.limit, "line longer than \(context.limits.maxLineBytes) bytes; it was discarded"))
        case .line(let buffer):
            do {
                request = try parser.parse(buffer.readableBytesView)
            } catch {
                return .reply(.error(error))
            }
        }
        let spec: CommandSpec
        do {
            spec = try router.route(request)
        } catch {
            return .reply(.error(error))
        }
        if let roles = spec.roles {
            guard let account = session.account else {
                return .reply(.error(.auth, "log in first: AUTH <user> <password>"))
            }
            guard roles.contains(account.role) else {
                return .reply(.error(.denied, "\(spec.name) is not allowed for the role \(account.role.rawValue)"))
            }
        }
        switch spec.body {
        case .task(let run):
            return .task(spec, run, request)
        case .inline(let answer):
            do {
                return .reply(try answer(request, &session, context))
            } catch {
                return .reply(.error(error))
            }
        }
    }

    /// Runs a command that waits (database, engine): at most once per `idem=` key, audited
    /// when it changes state.
    func perform(_ spec: CommandSpec, _ handler: CommandSpec.Handler, _ request: Request, session: inout SessionState) async -> Reply {
        let reply: Reply
        if spec.changesState, let key = request.option("idem"), let login = session.account?.login {
            reply = await runOnce(spec, handler, request, key: key, login: login, session: &session)
        } else {
            reply = await run(spec, handler, request, session: &session)
        }
        if spec.changesState || spec.name == "AUTH" {
            await context.audit.record(login: session.account?.login ?? request.words.dropFirst().first, peer: peer, request: request, result: Self.auditResult(reply))
        }
        return reply
    }

    /// Runs a state-changing command sent with `idem=<key>` at most once per account and key.
    private func runOnce(
        _ spec: CommandSpec, _ handler: CommandSpec.Handler, _ request: Request, key: String, login: String, session: inout SessionState
    ) async -> Reply {
        let idempotency = RequestIdempotency(pool: context.pool)
        let command = AuditLog.masked(Request(words: request.words, options: request.options.filter { $0.key != "idem" }))
        do {
            if let stored = try await idempotency.stored(login: login, key: key, command: command) { return stored }
        } catch let error as ProtocolError {
            return .error(error)
        } catch {
            return .error(.unavailable, "the database is unavailable; try again")
        }
        let reply = await run(spec, handler, request, session: &session)
        await idempotency.remember(login: login, key: key, command: command, reply: reply)
        return reply
    }

    private func run(_ spec: CommandSpec, _ handler: CommandSpec.Handler, _ request: Request, session: inout SessionState) async -> Reply {
        do {
            return try await handler(request, &session, context)
        } catch let error as ProtocolError {
            return .error(error)
        } catch let error as PostgresError {
            if error.isConnectionFailure || error.code == .poolExhausted || error.code == .poolClosed {
                return .error(.unavailable, "the database is unavailable; try again (\(error.message))")
            }
            context.logger.error("command failed", metadata: ["command": "\(spec.name)", "error": "\(error)"])
            return .error(.internal, "\(spec.name) failed; the error is logged")
        } catch let error as EngineError {
            switch error.kind {
            case .notFound: return .error(.notFound, error.message)
            case .refused: return .error(.conflict, error.message)
            case .invalid: return .error(.invalid, error.message)
            case .unavailable: return .error(.unavailable, error.message)
            }
        } catch {
            context.logger.error("command failed", metadata: ["command": "\(spec.name)", "error": "\(error)"])
            return .error(.internal, "\(spec.name) failed; the error is logged")
        }
    }

    /// Imports a finished upload (its lines, or the first problem found in them).
    func finishUpload(_ collected: Result<[String], ProtocolError>, pending: PendingUpload, account: Account?) async -> Reply {
        let reply: Reply
        switch collected {
        case .failure(let error):
            reply = .error(error)
        case .success(let lines):
            guard let account else { return .error(.auth, "log in first") }
            do {
                reply = try await pending.finish(lines, account, context)
            } catch let error as ProtocolError {
                reply = .error(error)
            } catch let error as PostgresError where error.isConnectionFailure {
                reply = .error(.unavailable, "the database is unavailable; nothing was imported")
            } catch {
                context.logger.error("upload failed", metadata: ["error": "\(error)"])
                reply = .error(.internal, "the upload failed; nothing was imported")
            }
        }
        await context.audit.record(login: account?.login, peer: peer, request: pending.request, result: "upload \(Self.auditResult(reply))")
        return reply
    }

    /// The result column of the audit trail: `OK`, `GO` or `ERR CODE`.
    private static func auditResult(_ reply: Reply) -> String {
        switch reply {
        case .error(let error): return "ERR \(error.code.rawValue)"
        case .go: return "GO"
        default: return "OK"
        }
    }
}
