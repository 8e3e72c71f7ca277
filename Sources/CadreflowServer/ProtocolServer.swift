import CadreflowProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The admin protocol's TCP listener (SwiftNIO): one task per connection.
public enum ProtocolServer {
    /// Binds `host:port` and serves until the task is cancelled. `onReady` receives the
    /// bound address once connections are accepted (port 0 picks a free port).
    public static func run(host: String, port: Int, context: ServerContext, tls: TLSSettings? = nil, onReady: @Sendable (SocketAddress) -> Void) async throws {
        let limits = context.limits
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    if limits.idleTimeoutSeconds > 0 {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(Int64(limits.idleTimeoutSeconds))))
                        try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser())
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: limits.maxLineBytes)))
                    try channel.pipeline.syncOperations.addHandler(FrameBatcher())
                    return try NIOAsyncChannel<[LineFrame], ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        if let address = server.channel.localAddress { onReady(address) }
        let router = CommandRouter.standard
        let parser = RequestParser(maxArguments: limits.maxArguments)
        let open = OpenConnections()
        let listener = server.channel
        // Graceful shutdown (SIGTERM/SIGINT through swift-service-lifecycle): stop accepting,
        // then close each connection's input so that it answers what it has read and closes.
        try await withGracefulShutdownHandler {
            try await serve(server, open: open, router: router, parser: parser, context: context)
        } onGracefulShutdown: {
            listener.close(promise: nil)
            open.closeInputs()
        }
    }

    private static func serve(
        _ server: NIOAsyncChannel<NIOAsyncChannel<[LineFrame], ByteBuffer>, Never>, open: OpenConnections,
        router: CommandRouter, parser: RequestParser, context: ServerContext
    ) async throws {
        let limits = context.limits
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    let peer = connection.channel.remoteAddress?.description ?? "unknown"
                    guard context.sessions.openConnection(limit: limits.maxConnections) else {
                        group.addTask {
                            try? await connection.executeThenClose { _, outbound in
                                try await outbound.write(ByteBuffer(string: "ERR LIMIT the server has \(limits.maxConnections) connections open; try again later\n"))
                            }
                        }
                        continue
                    }
                    let id = open.add(connection.channel)
                    group.addTask {
                        await ConnectionSession(context: context, router: router, parser: parser, peer: peer).run(connection)
                        open.remove(id)
                        context.sessions.closeConnection()
                    }
                }
            }
        }
    }
}

/// Closes a connection that stayed silent past the idle timeout.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.writeAndFlush(NIOAny(ByteBuffer(string: "ERR LIMIT idle for too long; closing\n")), promise: nil)
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// The channels of open connections, for graceful shutdown.
final class OpenConnections: Sendable {
    private let channels = Mutex<(next: Int, open: [Int: any Channel])>((0, [:]))

    func add(_ channel: any Channel) -> Int {
        channels.withLock { state in
            let id = state.next
            state.next += 1
            state.open[id] = channel
            return id
        }
    }

    func remove(_ id: Int) {
        _ = channels.withLock { $0.open.removeValue(forKey: id) }
    }

    /// Ends every connection's input: each answers the requests it has read, then closes.
    func closeInputs() {
        for channel in channels.withLock({ Array($0.open.values) }) {
            channel.close(mode: .input, promise: nil)
        }
    }
}

/// The admin protocol as a swift-service-lifecycle service.
public struct ProtocolService: Service {
    let host: String
    let port: Int
    let context: ServerContext
    let tls: TLSSettings?
    let onReady: @Sendable (SocketAddress) -> Void

    /// A service listening on host:port.
    public init(host: String, port: Int, context: ServerContext, tls: TLSSettings?, onReady: @escaping @Sendable (SocketAddress) -> Void) {
        self.host = host
        self.port = port
        self.context = context
        self.tls = tls
        self.onReady = onReady
    }

    public func run() async throws {
        do {
            try await ProtocolServer.run(host: host, port: port, context: context, tls: tls, onReady: onReady)
        } catch let error as IOError {
            throw ListenFailure(description: "cannot listen on \(host):\(port): \(error.description)")
        }
    }
}

/// The listener could not start (port taken, address not available).
public struct ListenFailure: Error, CustomStringConvertible {
    /// One line.
    public let description: String
}
