import Foundation

/// A blocking byte stream to the server, under ``ProtocolClient``'s lines and replies:
/// ``PlainSocketTransport`` (a POSIX socket) or ``TLSTransport`` (swift-nio-ssl on a NIO
/// channel behind a blocking adapter).
public protocol ByteTransport: AnyObject {
    /// Writes all of `bytes`; throws ``ProtocolClient/Failure`` when the connection is gone.
    func send(_ bytes: [UInt8]) throws

    /// Waits until bytes arrive and appends them to `buffer`; returns how many, 0 once the
    /// server has ended the stream. With a `timeout`, throws ``ByteTransportTimeout`` when
    /// nothing arrived in time; other failures are ``ProtocolClient/Failure``s.
    func receive(into buffer: inout [UInt8], timeout: Duration?) throws -> Int

    /// Closes the connection; closing twice does nothing.
    func close()
}

/// Nothing arrived within the time given to ``ByteTransport/receive(into:timeout:)``.
public struct ByteTransportTimeout: Error, Sendable {
    /// A timeout.
    public init() {}
}

/// Whole milliseconds of `duration` for poll(2) and NIO's timeouts (0 for negative ones).
func milliseconds(_ duration: Duration) -> Int32 {
    let components = duration.components
    let total = components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    return Int32(clamping: max(0, total))
}

/// Whole seconds of `duration`, for messages.
func wholeSeconds(_ duration: Duration) -> Int64 {
    duration.components.seconds
}

/// Plain TCP: a blocking POSIX socket, as the console always spoke.
public final class PlainSocketTransport: ByteTransport {
    private var descriptor: Int32
    private var scratch = [UInt8](repeating: 0, count: 65_536)

    /// Connects to host:port (IPv4 or IPv6 names, each address in turn), each attempt
    /// bounded by `timeout`.
    public init(host: String, port: Int, timeout: Duration = .seconds(10)) throws {
        if host.hasPrefix("/") {
            descriptor = try Self.connectedUnixSocket(host)
            return
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw ProtocolClient.Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let entry = candidate {
            if let socketDescriptor = connectSocket(entry.pointee, timeoutMilliseconds: milliseconds(timeout)) {
                connected = socketDescriptor
                break
            }
            candidate = entry.pointee.ai_next
        }
        guard connected >= 0 else {
            throw ProtocolClient.Failure(description: "cannot connect to \(host):\(port): is the service running?")
        }
        descriptor = connected
    }

    /// A connected blocking socket to a unix-domain socket file (a `--host` that begins
    /// with `/`, as psql takes one); the benchmark's client connects with it too.
    public static func connectedUnixSocket(_ path: String) throws -> Int32 {
        var address = sockaddr_un()
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ProtocolClient.Failure(description: "the socket path \(path) is too long")
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ProtocolClient.Failure(description: "cannot make a socket: \(String(cString: strerror(errno)))") }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            closeDescriptor(descriptor)
            throw ProtocolClient.Failure(description: "cannot connect to \(path): \(reason); is the service running with server.unix_socket set?")
        }
        return descriptor
    }

    deinit {
        close()
    }

    public func send(_ bytes: [UInt8]) throws {
        let descriptor = self.descriptor
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { sendSome(descriptor, $0) }
            guard sent > 0 else { throw ProtocolClient.Failure(description: "the connection was closed") }
            offset += sent
        }
    }

    public func receive(into buffer: inout [UInt8], timeout: Duration?) throws -> Int {
        let descriptor = self.descriptor
        guard descriptor >= 0 else { return 0 }
        if let timeout, !waitReadable(descriptor, timeoutMilliseconds: milliseconds(timeout)) {
            throw ByteTransportTimeout()
        }
        let count = scratch.withUnsafeMutableBytes { receiveSome(descriptor, $0) }
        guard count > 0 else { return 0 }
        buffer.append(contentsOf: scratch[..<count])
        return count
    }

    public func close() {
        guard descriptor >= 0 else { return }
        closeDescriptor(descriptor)
        descriptor = -1
    }
}

// The C calls live outside the class, whose `send` and `close` would hide them.

/// A connected blocking socket for one address, or nil: connect(2) runs non-blocking so
/// that a silent address gives up after the timeout.
private func connectSocket(_ entry: addrinfo, timeoutMilliseconds: Int32) -> Int32? {
    let descriptor = socket(entry.ai_family, entry.ai_socktype, entry.ai_protocol)
    guard descriptor >= 0 else { return nil }
    let flags = fcntl(descriptor, F_GETFL, 0)
    _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    var connected = connect(descriptor, entry.ai_addr, entry.ai_addrlen) == 0
    if !connected, errno == EINPROGRESS {
        var events = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat {
            ready = poll(&events, 1, timeoutMilliseconds)
        } while ready < 0 && errno == EINTR
        if ready == 1 {
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            connected = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 && failure == 0
        }
    }
    guard connected, fcntl(descriptor, F_SETFL, flags) == 0 else {
        close(descriptor)
        return nil
    }
    return descriptor
}

/// True once `descriptor` has something to read (or has ended) within the timeout.
private func waitReadable(_ descriptor: Int32, timeoutMilliseconds: Int32) -> Bool {
    var events = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    var ready: Int32
    repeat {
        ready = poll(&events, 1, timeoutMilliseconds)
    } while ready < 0 && errno == EINTR
    // An error counts as readable: the recv that follows reports it as the end.
    return ready != 0
}

private func sendSome(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
}

private func receiveSome(_ descriptor: Int32, _ bytes: UnsafeMutableRawBufferPointer) -> Int {
    var count: Int
    repeat {
        count = recv(descriptor, bytes.baseAddress, bytes.count, 0)
    } while count < 0 && errno == EINTR
    return count
}

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
