import CadreflowProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL

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
                    group.addTask {
                        await ConnectionSession(context: context, router: router, parser: parser, peer: peer).run(connection)
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
