import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// How the console's TLS checks the server: the certificate against the system trust
/// store or a CA file, and the name it must carry.
public struct TLSClientOptions: Sendable, Equatable {
    /// A PEM file of the CA certificates to trust instead of the system trust store.
    public var caFile: String?
    /// The name the server's certificate must carry (and the SNI name); nil: the host
    /// connected to. swift-nio-ssl also accepts a certificate that lists the IP address
    /// connected to; an IP address given here is not sent as SNI, and only that counts.
    public var serverName: String?

    /// Options; the defaults trust the system store and check the host's name.
    public init(caFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.serverName = serverName
    }
}

/// TLS (swift-nio-ssl) under the blocking client: a NIO channel on the shared event loop
/// group whose decrypted bytes land in a locked inbox that ``receive(into:timeout:)``
/// waits on; writes wait until NIO has written them. Certificate verification is always
/// full: the chain against the trust roots, and the server's name.
public final class TLSTransport: ByteTransport {
    private let channel: any Channel
    private let inbox: TLSInbox
    private let peer: String
    private let expectedName: String
    private let trust: String

    /// Connects to host:port and starts the handshake (its outcome shows in the first
    /// ``receive(into:timeout:)``); the TCP connect is bounded by `timeout`.
    public init(host: String, port: Int, options: TLSClientOptions = TLSClientOptions(), timeout: Duration = .seconds(10)) throws {
        let peer = "\(host):\(port)"
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        let trust: String
        if let caFile = options.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ProtocolClient.Failure(description: "--ca-file \(caFile): no such readable file")
            }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw ProtocolClient.Failure(description: "--ca-file \(caFile): cannot read a PEM certificate (\(error))")
            }
            guard !certificates.isEmpty else {
                throw ProtocolClient.Failure(description: "--ca-file \(caFile): holds no PEM certificate")
            }
            configuration.trustRoots = .certificates(certificates)
            trust = "the CA file \(caFile)"
        } else {
            configuration.trustRoots = .default
            trust = "the system trust store"
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ProtocolClient.Failure(description: "TLS: cannot set up with \(trust) (\(error))")
        }
        let name = options.serverName ?? host
        // SNI takes names only; for an IP address NIOSSL checks the certificate's IP
        // addresses against the address connected to.
        let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        let serverHostname: String? = isAddress ? nil : name
        let inbox = TLSInbox()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(milliseconds(timeout))))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverHostname))
                    try pipeline.addHandler(TLSInboxHandler(inbox: inbox))
                }
            }
        let connected: any Channel
        do {
            connected = try bootstrap.connect(host: host, port: port).wait()
        } catch let error as NIOSSLExtraError {
            throw ProtocolClient.Failure(description: "TLS: --tls-server-name \(name): \(error)")
        } catch {
            throw ProtocolClient.Failure(description: "cannot connect to \(peer): is the service running?")
        }
        self.channel = connected
        self.inbox = inbox
        self.peer = peer
        self.expectedName = name
        self.trust = trust
    }

    deinit {
        close()
    }

    public func send(_ bytes: [UInt8]) throws {
        do {
            try channel.writeAndFlush(ByteBuffer(bytes: bytes)).wait()
        } catch {
            if let failure = inbox.failure, let text = explain(failure) {
                throw ProtocolClient.Failure(description: text)
            }
            throw ProtocolClient.Failure(description: "the connection was closed")
        }
    }

    public func receive(into buffer: inout [UInt8], timeout: Duration?) throws -> Int {
        switch inbox.take(into: &buffer, timeout: timeout) {
        case .bytes(let count):
            return count
        case .ended:
            return 0
        case .timedOut:
            throw ByteTransportTimeout()
        case .failed(let error):
            guard let text = explain(error) else { return 0 }
            throw ProtocolClient.Failure(description: text)
        }
    }

    public func close() {
        channel.close(promise: nil)
    }

    /// One line on a TLS failure, naming what to do; nil for the ways a connection just
    /// ends (the peer closing without close_notify, a reset).
    private func explain(_ error: any Error) -> String? {
        if let ssl = error as? NIOSSLError {
            switch ssl {
            case .handshakeFailed(let stack):
                let detail = String(describing: stack)
                if detail.contains("CERTIFICATE_VERIFY_FAILED") {
                    return "TLS: the certificate of \(peer) is not trusted: it does not verify against \(trust)"
                        + " (signed by an unknown CA, self-signed or expired); --ca-file PATH trusts the CA that signed it"
                }
                if detail.contains("WRONG_VERSION_NUMBER") || detail.contains("HTTP_REQUEST") || detail.contains("PACKET_LENGTH") {
                    return "TLS: \(peer) does not answer in TLS: is TLS off at the service? (then connect without --tls)"
                }
                if detail.contains("EOF during handshake") {
                    return "TLS: \(peer) closed the connection during the TLS handshake"
                }
                return "TLS: the handshake with \(peer) failed: \(detail)"
            case .uncleanShutdown:
                return nil
            default:
                return "TLS with \(peer): \(ssl)"
            }
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "TLS: the certificate of \(peer) is not for \(expectedName) (hostname verification)"
                + "; --tls-server-name NAME checks a name the certificate carries"
        }
        if error is IOError || error is ChannelError {
            return nil
        }
        return "TLS with \(peer): \(error)"
    }
}

/// The bytes, failure and end of a TLS channel, handed from the event loop to the
/// blocking reader under a condition lock.
final class TLSInbox: @unchecked Sendable {
    /// What one wait found.
    enum Taken {
        case bytes(Int)
        case failed(any Error)
        case ended
        case timedOut
    }

    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var firstFailure: (any Error)?
    private var ended = false

    /// The first error the channel raised, if any.
    var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return firstFailure
    }

    func append(_ received: ByteBufferView) {
        condition.lock()
        bytes.append(contentsOf: received)
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: any Error) {
        condition.lock()
        if firstFailure == nil { firstFailure = error }
        condition.broadcast()
        condition.unlock()
    }

    func end() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for bytes, a failure or the end (at most `timeout`); moves the bytes into
    /// `buffer`. Bytes that arrived before a failure are handed out first.
    func take(into buffer: inout [UInt8], timeout: Duration?) -> Taken {
        let deadline = timeout.map { Date().addingTimeInterval(Double(milliseconds($0)) / 1_000) }
        condition.lock()
        defer { condition.unlock() }
        while bytes.isEmpty, firstFailure == nil, !ended {
            if let deadline {
                if !condition.wait(until: deadline), bytes.isEmpty, firstFailure == nil, !ended { return .timedOut }
            } else {
                condition.wait()
            }
        }
        if !bytes.isEmpty {
            let count = bytes.count
            buffer.append(contentsOf: bytes)
            bytes.removeAll(keepingCapacity: true)
            return .bytes(count)
        }
        if let firstFailure { return .failed(firstFailure) }
        return .ended
    }
}

/// The last handler of a TLS client channel: decrypted bytes, errors and the end go to
/// the inbox.
final class TLSInboxHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: TLSInbox

    init(inbox: TLSInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(Self.unwrapInboundIn(data).readableBytesView)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.end()
        context.fireChannelInactive()
    }
}
