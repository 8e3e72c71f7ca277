import CadreflowProtocol
import Foundation

/// A blocking client of the admin protocol for the console and scripts.
public final class ProtocolClient {
    /// A reply as received: its lines (a DATA block whole, END included).
    public struct Received: Sendable, Equatable {
        /// The raw lines.
        public var lines: [String]

        /// True for `ERR …` (text mode) or `"ok":false` (JSON mode).
        public var isError: Bool {
            guard let first = lines.first else { return true }
            return first.hasPrefix("ERR") || first.hasPrefix("{\"ok\":false")
        }

        /// True for `GO …`.
        public var isGo: Bool {
            lines.first?.hasPrefix("GO") == true || lines.first?.contains("\"go\":true") == true
        }
    }

    /// A connection or I/O failure.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    private let transport: any ByteTransport
    private var buffer: [UInt8] = []
    /// The server's greeting.
    public private(set) var greeting = ""

    /// Connects to host:port (IPv4 or IPv6 names), in plain TCP or, with `tls`, in TLS,
    /// and reads the greeting. `timeout` bounds the connect, and the wait for the greeting
    /// (a TLS handshake included): a service with TLS on says nothing to a plain client.
    public convenience init(host: String, port: Int, tls: TLSClientOptions? = nil, timeout: Duration = .seconds(10)) throws {
        let transport: any ByteTransport
        let silence: String
        if tls != nil, host.hasPrefix("/") {
            throw Failure(description: "TLS is for TCP: the unix socket \(host) is local and served without it")
        }
        if let tls {
            transport = try TLSTransport(host: host, port: port, options: tls, timeout: timeout)
            silence = "no greeting from \(host):\(port) within \(wholeSeconds(timeout)) s of connecting with TLS"
        } else {
            transport = try PlainSocketTransport(host: host, port: port, timeout: timeout)
            silence = "no greeting from \(host):\(port) within \(wholeSeconds(timeout)) s: if the service has TLS on, connect with --tls"
        }
        try self.init(transport: transport, greetingTimeout: timeout, silence: silence)
    }

    /// A client on a connected transport: reads the greeting, waiting at most
    /// `greetingTimeout` when one is given.
    public convenience init(transport: any ByteTransport, greetingTimeout: Duration? = nil) throws {
        let seconds = greetingTimeout.map(wholeSeconds) ?? 0
        try self.init(transport: transport, greetingTimeout: greetingTimeout, silence: "no greeting within \(seconds) s")
    }

    private init(transport: any ByteTransport, greetingTimeout: Duration?, silence: String) throws {
        self.transport = transport
        do {
            greeting = try readLine(timeout: greetingTimeout)
        } catch is ByteTransportTimeout {
            throw Failure(description: silence)
        }
    }

    deinit {
        transport.close()
    }

    /// Sends one request line and reads its reply.
    public func send(_ line: String) throws -> Received {
        try write(Array((line + "\n").utf8))
        return try reply()
    }

    /// Writes bytes as they are.
    public func write(_ bytes: [UInt8]) throws {
        try transport.send(bytes)
    }

    /// Reads one reply.
    public func reply() throws -> Received {
        let first = try readLine()
        var lines = [first]
        if first.hasPrefix("DATA "), let count = Int(first.dropFirst(5)) {
            for _ in 0..<count { lines.append(try readLine()) }
            lines.append(try readLine())
        }
        return Received(lines: lines)
    }

    /// One line without its `\n` (and `\r`); `timeout` bounds each wait for more bytes.
    private func readLine(timeout: Duration? = nil) throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard try transport.receive(into: &buffer, timeout: timeout) > 0 else {
                throw Failure(description: "the server closed the connection")
            }
        }
    }
}
