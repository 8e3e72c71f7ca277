import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The operators' HTTP/1 listener (`metrics.listen`) as a service: it binds, reports its
/// address, answers ``ProbeRoutes`` until a graceful shutdown or cancellation, then closes.
public struct ProbeService: Service {
    let host: String
    let port: Int
    let routes: ProbeRoutes
    let onReady: @Sendable (SocketAddress) -> Void

    /// A listener on `host:port` (port 0: any free port, reported to `onReady`).
    public init(host: String, port: Int, routes: ProbeRoutes, onReady: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.routes = routes
        self.onReady = onReady
    }

    public func run() async throws {
        let routes = self.routes
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(ProbeHandler(routes: routes))
                }
            }
            .bind(host: host, port: port)
            .get()
        if let address = channel.localAddress { onReady(address) }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}
