import CadreflowProtocol
import NIOCore

/// Runs request lines through the server's routing, role checks, idempotency and audit
/// without a socket (the way Hummingbird's router tests run requests): for tests of
/// command groups, and for tools that drive the service in-process.
public struct CommandDriver: Sendable {
    private let executor: CommandExecutor

    /// A driver on a context, as a client at `peer`.
    public init(context: ServerContext, peer: String = "in-process") {
        executor = CommandExecutor(context: context, router: context.router, parser: RequestParser(maxArguments: context.limits.maxArguments), peer: peer)
    }

    /// Sends one request line (an upload's lines follow with ``upload(_:_:session:)``).
    public func send(_ line: String, session: inout SessionState) async -> Reply {
        switch executor.prepare(.line(ByteBuffer(string: line)), session: &session) {
        case .reply(let reply): return reply
        case .read(let work): return await work(session)
        case .query(let read, let command):
            do {
                return try await executor.context.pool.read(read)
            } catch {
                return .error(executor.protocolError(error, command: command))
            }
        case .task(let work): return await work(&session)
        }
    }

    /// Sends an upload command and its lines; returns the final reply (or the refusal of the command).
    public func upload(_ line: String, _ lines: [String], session: inout SessionState) async -> Reply {
        let first = await send(line, session: &session)
        guard case .go = first, let pending = session.upload else { return first }
        session.upload = nil
        return await executor.finishUpload(.success(lines), bytes: lines.reduce(0) { $0 + $1.utf8.count + 1 }, pending: pending, session: &session)
    }
}
