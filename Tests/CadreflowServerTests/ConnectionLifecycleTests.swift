import CadreflowServer
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Connection lifecycle: end of input, graceful shutdown")
struct ConnectionLifecycleTests {
    @Test("A client that ends its input still gets every reply, in order, then the server closes")
    func halfClose() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let client = try await server.admin()
        _ = try await client.send(#"UNIT ADD HN name="Hà Nội""#)
        try await client.sendRaw(Array("PING\nUNIT SHOW HN\nWHOAMI\nPING\n".utf8))
        client.finishSending()
        let replies = try await client.repliesUntilClosed()
        #expect(replies.count == 4)
        #expect(replies.first == ["OK PONG"])
        #expect(replies.dropFirst().first?.contains { $0.contains("Hà Nội") } == true)
        #expect(replies.dropFirst(2).first?.first == "DATA 2")
        #expect(replies.last == ["OK PONG"])
    }

    @Test("Cancelled, the server closes its connections at once and returns")
    func cancellation() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let client = try await server.admin()
        let cancelled = ContinuousClock.now
        server.task.cancel()
        #expect(try await client.repliesUntilClosed().isEmpty)
        #expect(ContinuousClock.now - cancelled < .seconds(10))
        _ = await server.task.result
    }

    @Test("Graceful shutdown: connections are answered and closed, then the service returns")
    func gracefulShutdown() async throws {
        let parts = try await ServerHarness.prepare()
        defer {
            parts.engine.close()
            parts.pool.close()
        }
        let port = Mutex(0)
        let (ready, continuation) = AsyncStream<Void>.makeStream()
        let service = ProtocolService(host: "127.0.0.1", port: 0, context: parts.context, tls: nil) { address in
            port.withLock { $0 = address.port ?? 0 }
            continuation.yield()
        }
        var logger = Logger(label: "test.lifecycle")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        let running = Task { try await group.run() }
        for await _ in ready { break }
        let bound = port.withLock { $0 }

        let idle = try await TestClient.connect(port: bound)
        let busy = try await TestClient.connect(port: bound)
        #expect(try await busy.send("AUTH admin \(ServerHarness.adminPassword)").first?.hasPrefix("OK") == true)
        #expect(try await busy.send("UNIT LIST").first?.hasPrefix("DATA") == true)

        let shutdownStarted = ContinuousClock.now
        await group.triggerGracefulShutdown()
        // Both connections close without a request of theirs going unanswered.
        #expect(try await idle.repliesUntilClosed().isEmpty)
        #expect(try await busy.repliesUntilClosed().isEmpty)
        try await running.value
        #expect(ContinuousClock.now - shutdownStarted < .seconds(10))
        await #expect(throws: (any Error).self) { try await TestClient.connect(port: bound) }
    }
}
