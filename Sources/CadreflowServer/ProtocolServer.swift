import CadreflowProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The admin protocol's TCP listener (SwiftNIO): a ``ConnectionHandler`` per connection.
public enum ProtocolServer {
    /// Binds `host:port` and serves until the task is cancelled. `onReady` receives the
    /// bound address once connections are accepted (port 0 picks a free port).
    public static func run(host: String, port: Int, context: ServerContext, tls: TLSSettings? = nil, onReady: @Sendable (SocketAddress) -> Void) async throws {
        try await run(.tcp(host: host, port: port), context: context, tls: tls, onReady: onReady)
    }

    /// Where the listener binds: a TCP address, or a unix-domain socket file (local
    /// clients only; the file's permissions decide who may connect, and a login is still
    /// required).
    public enum Endpoint: Sendable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)

        /// `127.0.0.1:7420`, `[::1]:7420` or `unix:/path/to/cadreflow.sock`.
        public var description: String {
            switch self {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path): return "unix:\(path)"
            }
        }
    }

    /// Binds the endpoint and serves until the task is cancelled (see ``run(host:port:context:tls:onReady:)``).
    public static func run(_ endpoint: Endpoint, context: ServerContext, tls: TLSSettings? = nil, onReady: @Sendable (SocketAddress) -> Void) async throws {
        let limits = context.limits
        let router = context.router
        let parser = RequestParser(maxArguments: limits.maxArguments)
        let open = OpenConnections()
        let greeting = "OK cadreflow \(context.version) protocol=1\n"
        var bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: limits.effectiveBacklog)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 * 1_024, high: 256 * 1_024))
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        if case .tcp = endpoint {
            bootstrap = bootstrap
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        }
        let initializer: @Sendable (any Channel) -> EventLoopFuture<EventLoopFuture<Void>> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    let finished = channel.eventLoop.makePromise(of: Void.self)
                    let pipeline = channel.pipeline.syncOperations
                    if let tls, case .tcp = endpoint {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    guard context.sessions.openConnection(limit: limits.maxConnections) else {
                        try pipeline.addHandler(ConnectionRefuser(message: "ERR LIMIT the server has \(limits.maxConnections) connections open; try again later\n"))
                        channel.closeFuture.whenComplete { _ in finished.succeed(()) }
                        return finished.futureResult
                    }
                    let id = open.add(channel)
                    channel.closeFuture.whenComplete { _ in
                        open.remove(id)
                        context.sessions.closeConnection()
                    }
                    if limits.idleTimeoutSeconds > 0 {
                        try pipeline.addHandler(IdleStateHandler(readTimeout: .seconds(Int64(limits.idleTimeoutSeconds))))
                        try pipeline.addHandler(IdleConnectionCloser())
                    }
                    let peer: String
                    switch endpoint {
                    case .tcp: peer = channel.remoteAddress?.description ?? "unknown"
                    case .unixSocket: peer = "local"
                    }
                    let executor = CommandExecutor(context: context, router: router, parser: parser, peer: peer)
                    try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: limits.maxLineBytes)))
                    try pipeline.addHandler(ConnectionHandler(executor: executor, greeting: greeting, finished: finished))
                    return finished.futureResult
                }
            }
        let server: NIOAsyncChannel<EventLoopFuture<Void>, Never>
        switch endpoint {
        case .tcp(let host, let port):
            server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unixSocket(let path):
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            // The service's user and group; whoever connects still logs in.
            chmod(path, 0o660)
        }
        defer { if case .unixSocket(let path) = endpoint { unlink(path) } }
        if let address = server.channel.localAddress { onReady(address) }
        let listener = server.channel
        // Graceful shutdown (SIGTERM/SIGINT through swift-service-lifecycle): stop accepting,
        // then ask each connection to answer what it has read and close.
        try await withGracefulShutdownHandler {
            // Cancelled (not a graceful shutdown): connections are closed at once.
            try await withTaskCancellationHandler {
                try await serve(server)
            } onCancel: {
                open.closeAll()
            }
        } onGracefulShutdown: {
            listener.close(promise: nil)
            open.quiesce()
        }
    }

    /// Accepts connections until the listener closes, then waits until every connection
    /// has closed and none of their commands is still running.
    private static func serve(_ server: NIOAsyncChannel<EventLoopFuture<Void>, Never>) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await finished in connections {
                    group.addTask { try? await finished.get() }
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

    /// Closes every connection now.
    func closeAll() {
        for channel in channels.withLock({ Array($0.open.values) }) {
            channel.close(promise: nil)
        }
    }

    /// Asks every connection to answer the requests it has read, then close.
    func quiesce() {
        for channel in channels.withLock({ Array($0.open.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }
}

/// The admin protocol as a swift-service-lifecycle service.
public struct ProtocolService: Service {
    let endpoint: ProtocolServer.Endpoint
    let context: ServerContext
    let tls: TLSSettings?
    let onReady: @Sendable (SocketAddress) -> Void

    /// A service listening on host:port.
    public init(host: String, port: Int, context: ServerContext, tls: TLSSettings?, onReady: @escaping @Sendable (SocketAddress) -> Void) {
        self.init(.tcp(host: host, port: port), context: context, tls: tls, onReady: onReady)
    }

    /// A service listening on an endpoint (TLS applies to TCP only).
    public init(_ endpoint: ProtocolServer.Endpoint, context: ServerContext, tls: TLSSettings?, onReady: @escaping @Sendable (SocketAddress) -> Void) {
        self.endpoint = endpoint
        self.context = context
        self.tls = tls
        self.onReady = onReady
    }

    public func run() async throws {
        do {
            try await ProtocolServer.run(endpoint, context: context, tls: tls, onReady: onReady)
        } catch let error as IOError {
            throw ListenFailure(description: "cannot listen on \(endpoint): \(error.description)")
        }
    }
}

/// The listener could not start (port taken, address not available).
public struct ListenFailure: Error, CustomStringConvertible {
    /// One line.
    public let description: String
}
