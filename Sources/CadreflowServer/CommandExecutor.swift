import CadreflowPostgres
import CadreflowProtocol
import Logging
import NIOCore

/// Runs one connection's requests: parses and routes a line, checks the role, answers
/// inline commands at once (``prepare(_:session:)``, on the event loop) and runs the others
/// in a task: reads as they are, writes through ``commit(_:spec:request:session:)`` so that
/// a change, its `idem=` record and its audit row commit together.
struct CommandExecutor: Sendable {
    let context: ServerContext
    let router: CommandRouter
    let parser: RequestParser
    let peer: String

    /// A waiting part of a request, run in a task with the session; nothing else of the
    /// connection runs meanwhile.
    typealias Work = @Sendable (inout SessionState) async -> Reply
    /// A read, run in a task with a copy of the session, beside the connection's other reads.
    typealias ReadWork = @Sendable (SessionState) async -> Reply

    /// What a request line needs: a reply already made, a read, or work that runs alone.
    enum Prepared {
        case reply(Reply)
        case read(ReadWork)
        /// One statement for the read lanes, and the command's name for its errors.
        case query(PostgresRead<Reply>, command: String)
        case task(Work)
    }

    /// Parses, routes and checks one line; runs it at once when its command is inline. The
    /// command's reply is counted and timed (``ServerMetrics``) when it is made.
    func prepare(_ frame: LineFrame, session: inout SessionState) -> Prepared {
        let started = ContinuousClock.now
        var name = "unknown"
        let prepared = route(frame, session: &session, name: &name)
        let metrics = context.metrics
        let command = name
        switch prepared {
        case .reply(let reply):
            metrics.command(command, reply, started: started)
            return prepared
        case .read(let work):
            return .read { session in
                let reply = await work(session)
                metrics.command(command, reply, started: started)
                return reply
            }
        case .query(let read, _):
            // A failed statement is counted where its error becomes a reply.
            return .query(read.map { reply in
                metrics.command(command, reply, started: started)
                return reply
            }, command: command)
        case .task(let work):
            return .task { session in
                let reply = await work(&session)
                metrics.command(command, reply, started: started)
                return reply
            }
        }
    }

    /// Counts a read whose statement failed (its reply made from the error).
    func countFailedQuery(_ command: String, _ reply: Reply) {
        context.metrics.command(command, reply, started: nil)
    }

    private func route(_ frame: LineFrame, session: inout SessionState, name: inout String) -> Prepared {
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
        name = spec.name
        if let roles = spec.roles {
            guard let account = session.account else {
                return .reply(.error(.auth, "log in first: AUTH <user> <password>"))
            }
            guard roles.contains(account.role) else {
                let refusal = Reply.error(.denied, "\(spec.name) is not allowed for the role \(account.role.rawValue)")
                guard spec.changesState else { return .reply(refusal) }
                // A refused write is audited as refused.
                return .task { session in
                    await context.audit.record(login: session.account?.login, peer: peer, request: request, result: Self.auditResult(refusal))
                    return refusal
                }
            }
        }
        switch spec.body {
        case .inline(let answer):
            do {
                return .reply(try answer(request, &session, context))
            } catch {
                return .reply(.error(error))
            }
        case .read(let read):
            return .read { session in
                do {
                    return try await read(request, session, context)
                } catch {
                    return .error(self.protocolError(error, command: spec.name))
                }
            }
        case .query(let query):
            do {
                return .query(try query(request, session, context), command: spec.name)
            } catch {
                return .reply(.error(protocolError(error, command: spec.name)))
            }
        case .session(let change):
            return .task { session in
                let reply: Reply
                do {
                    reply = try await change(request, &session, context)
                } catch {
                    reply = .error(self.protocolError(error, command: spec.name))
                }
                if spec.auditedRead {
                    await context.audit.record(login: session.account?.login ?? request.words.dropFirst().first, peer: peer, request: request, result: Self.auditResult(reply))
                }
                return reply
            }
        case .write(let write):
            return .task { session in
                let planned: CommandWrite
                do {
                    planned = try await write(request, &session, context)
                } catch {
                    let reply = Reply.error(self.protocolError(error, command: spec.name))
                    await context.audit.record(login: session.account?.login, peer: peer, request: request, result: Self.auditResult(reply))
                    return reply
                }
                return await self.commit(planned, spec: spec, request: request, session: &session)
            }
        }
    }

    /// Makes a write's change with its idempotency record and audit row, all or nothing;
    /// a refused or failed write is audited as such on its own.
    ///
    /// `resultPrefix` marks the audit results of an upload's lines (`upload OK`).
    func commit(_ write: CommandWrite, spec: CommandSpec, request: Request, session: inout SessionState, resultPrefix: String = "") async -> Reply {
        let login = session.account?.login
        let masked = AuditLog.masked(request)
        let audit = AuditLog.statement(login: login, peer: peer, command: masked, result: resultPrefix + "OK")
        let idempotency = request.option("idem").flatMap { key in
            login.map { RequestIdempotency(login: $0, key: key, command: AuditLog.masked(Self.withoutIdem(request))) }
        }
        let reply: Reply
        do {
            switch write {
            case .reply(let answer):
                await context.audit.record(login: login, peer: peer, request: request, result: Self.auditResult(answer))
                return answer
            case .upload(let prompt, let finish):
                session.upload = PendingUpload(spec: spec, request: request, finish: finish)
                return .go(prompt)
            case .inTransaction(let body):
                let (answer, replayed) = try await context.pool.withTransaction { connection -> (Reply, Bool) in
                    if let idempotency, let stored = try idempotency.claim(on: connection) { return (stored, true) }
                    let answer = try body(connection)
                    try idempotency?.store(answer, on: connection)
                    try connection.query(audit.sql, parameters: audit.parameters)
                    return (answer, false)
                }
                if replayed {
                    await context.audit.record(login: login, peer: peer, request: request, result: resultPrefix + "OK replayed")
                } else {
                    await context.afterCommit?(request)
                }
                reply = answer
            case .committing(let body):
                let key = idempotency.map { "\($0.login)/\($0.key)" }
                if let idempotency, let stored = try await context.pool.withConnection({ try idempotency.storedReply(on: $0) }) {
                    await context.audit.record(login: login, peer: peer, request: request, result: resultPrefix + "OK replayed")
                    return stored
                }
                reply = try await body(CommitRecords(statements: [audit], idempotencyKey: key))
                if let idempotency {
                    // Best effort: without it a retry runs the command again (see remember(_:on:)).
                    _ = try? await context.pool.withConnection { try idempotency.remember(reply, on: $0) }
                }
                await context.afterCommit?(request)
            }
        } catch {
            let failure = Reply.error(protocolError(error, command: spec.name))
            await context.audit.record(login: login, peer: peer, request: request, result: resultPrefix + Self.auditResult(failure))
            return failure
        }
        return reply
    }

    /// Turns a finished upload (its lines, or the first problem found in them) into its write.
    func finishUpload(_ collected: Result<[String], ProtocolError>, bytes: Int, pending: PendingUpload, session: inout SessionState) async -> Reply {
        let reply = await finishUploadUncounted(collected, pending: pending, session: &session)
        context.metrics.upload(pending.spec.name, reply, bytes: bytes)
        return reply
    }

    private func finishUploadUncounted(_ collected: Result<[String], ProtocolError>, pending: PendingUpload, session: inout SessionState) async -> Reply {
        let failure: Reply
        switch collected {
        case .failure(let error):
            failure = .error(error)
        case .success(let lines):
            guard let account = session.account else { return .error(.auth, "log in first") }
            do {
                let write = try await pending.finish(lines, account)
                return await commit(write, spec: pending.spec, request: pending.request, session: &session, resultPrefix: "upload ")
            } catch {
                failure = .error(protocolError(error, command: pending.spec.name))
            }
        }
        await context.audit.record(login: session.account?.login, peer: peer, request: pending.request, result: "upload \(Self.auditResult(failure))")
        return failure
    }

    /// The one mapping of errors to replies: protocol errors as they are, errors that know
    /// their reply (domain, engine), an unreachable database as `UNAVAILABLE`, the rest
    /// logged and `INTERNAL`.
    func protocolError(_ error: any Error, command: String) -> ProtocolError {
        switch error {
        case let error as ProtocolError:
            return error
        case let error as any ProtocolErrorConvertible:
            return error.protocolError
        case let error as PostgresError where error.isConnectionFailure || error.code == .poolExhausted || error.code == .poolClosed:
            return ProtocolError(.unavailable, "the database is unavailable; try again (\(error.message))")
        case let error as PostgresError where error.isTimeout:
            return ProtocolError(.unavailable, "the database did not answer in time; try again (\(error.message))")
        default:
            context.logger.error("command failed", metadata: ["command": "\(command)", "error": "\(error)"])
            return ProtocolError(.internal, "\(command) failed; the error is logged")
        }
    }

    private static func withoutIdem(_ request: Request) -> Request {
        Request(words: request.words, options: request.options.filter { $0.key != "idem" })
    }

    /// The result column of the audit trail: `OK`, `GO` or `ERR CODE`.
    static func auditResult(_ reply: Reply) -> String {
        switch reply {
        case .error(let error): return "ERR \(error.code.rawValue)"
        case .go: return "GO"
        default: return "OK"
        }
    }
}
