import CadreflowEngine
import CadreflowPostgres
import CadreflowProtocol
import Logging
import NIOCore

/// Serves one connection: the greeting, then one reply per request line, in order
/// (pipelined requests are read and answered one after another), uploads after `GO`,
/// until QUIT, the client leaves, or the idle timeout closes it.
struct ConnectionSession {
    let context: ServerContext
    let router: CommandRouter
    let parser: RequestParser
    let peer: String

    func run(_ channel: NIOAsyncChannel<[LineFrame], ByteBuffer>) async {
        var session = SessionState(peer: peer)
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "OK cadreflow \(context.version) protocol=1\n"))
                var upload = UploadCollector(limit: context.limits.maxUploadBytes)
                // The requests of one read are answered in order with one write.
                reading: for try await frames in inbound {
                    var replies = ""
                    for frame in frames {
                        let reply: Reply
                        if session.upload != nil {
                            guard let lines = upload.take(frame) else { continue }
                            reply = await finishUpload(lines, session: &session)
                            upload = UploadCollector(limit: context.limits.maxUploadBytes)
                        } else {
                            reply = await handle(frame, session: &session)
                        }
                        replies += ReplyEncoder.encode(reply, format: session.format)
                        if session.closing { break }
                    }
                    if !replies.isEmpty { try await outbound.write(ByteBuffer(string: replies)) }
                    if session.closing { break reading }
                }
            }
        } catch {
            context.logger.debug("connection ended", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
        // A disconnect during an upload leaves its lines unprocessed: nothing is imported.
        if let account = session.account { context.sessions.closeSession(account.login) }
    }

    private func handle(_ frame: LineFrame, session: inout SessionState) async -> Reply {
        let request: Request
        switch frame {
        case .overlong:
            return .error(.limit, "line longer than \(context.limits.maxLineBytes) bytes; it was discarded")
        case .line(let buffer):
            do {
                request = try parser.parse(buffer.readableBytesView)
            } catch {
                return .error(error)
            }
        }
        let spec: CommandSpec
        do {
            spec = try router.route(request)
        } catch {
            return .error(error)
        }
        if let roles = spec.roles {
            guard let account = session.account else {
                return .error(.auth, "log in first: AUTH <user> <password>")
            }
            guard roles.contains(account.role) else {
                return .error(.denied, "\(spec.name) is not allowed for the role \(account.role.rawValue)")
            }
        }
        let reply: Reply
        if spec.changesState, let key = request.option("idem"), let login = session.account?.login {
            reply = await runOnce(spec, request, key: key, login: login, session: &session)
        } else {
            reply = await run(spec, request, session: &session)
        }
        if spec.changesState || spec.name == "AUTH" {
            let result: String
            switch reply {
            case .error(let error): result = "ERR \(error.code.rawValue)"
            case .go: result = "GO"
            default: result = "OK"
            }
            await context.audit.record(login: session.account?.login ?? request.words.dropFirst().first, peer: peer, request: request, result: result)
        }
        return reply
    }

    /// Runs a state-changing command sent with `idem=<key>` at most once per account and key.
    private func runOnce(_ spec: CommandSpec, _ request: Request, key: String, login: String, session: inout SessionState) async -> Reply {
        let idempotency = RequestIdempotency(pool: context.pool)
        let command = AuditLog.masked(Request(words: request.words, options: request.options.filter { $0.key != "idem" }))
        do {
            if let stored = try await idempotency.stored(login: login, key: key, command: command) { return stored }
        } catch let error as ProtocolError {
            return .error(error)
        } catch {
            return .error(.unavailable, "the database is unavailable; try again")
        }
        let reply = await run(spec, request, session: &session)
        await idempotency.remember(login: login, key: key, command: command, reply: reply)
        return reply
    }

    private func run(_ spec: CommandSpec, _ request: Request, session: inout SessionState) async -> Reply {
        do {
            return try await spec.run(request, &session, context)
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

    private func finishUpload(_ collected: Result<[String], ProtocolError>, session: inout SessionState) async -> Reply {
        guard let pending = session.upload else { return .error(.internal, "no upload in progress") }
        session.upload = nil
        let reply: Reply
        switch collected {
        case .failure(let error):
            reply = .error(error)
        case .success(let lines):
            guard let account = session.account else { return .error(.auth, "log in first") }
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
        let result: String
        if case .error(let error) = reply { result = "ERR \(error.code.rawValue)" } else { result = "OK" }
        await context.audit.record(login: session.account?.login, peer: peer, request: pending.request, result: "upload \(result)")
        return reply
    }
}

/// Collects upload lines until a lone `.`: undoes dot stuffing, checks UTF-8 and the size
/// limit, and remembers the first problem (with its line number) while still reading to
/// the end, so the connection stays in step.
struct UploadCollector {
    let limit: Int
    private var lines: [String] = []
    private var bytes = 0
    private var problem: ProtocolError?

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one frame; returns the outcome once the terminating `.` arrived.
    mutating func take(_ frame: LineFrame) -> Result<[String], ProtocolError>? {
        let number = lines.count + 1
        switch frame {
        case .overlong:
            if problem == nil { problem = ProtocolError(.limit, "line \(number): longer than the line limit") }
            lines.append("")
            return nil
        case .line(let buffer):
            var body = Array(buffer.readableBytesView)
            if body.last == UInt8(ascii: "\r") { body.removeLast() }
            if body == [UInt8(ascii: ".")] {
                if let problem { return .failure(problem) }
                return .success(lines)
            }
            if body.first == UInt8(ascii: ".") { body.removeFirst() }
            bytes += body.count + 1
            if bytes > limit, problem == nil {
                problem = ProtocolError(.limit, "the upload is larger than \(limit) bytes")
            }
            guard problem == nil else { return nil }
            guard let text = String(validating: body, as: UTF8.self) else {
                problem = ProtocolError(.syntax, "line \(number): not valid UTF-8")
                return nil
            }
            lines.append(text)
            return nil
        }
    }
}
