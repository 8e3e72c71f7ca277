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

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// The server's greeting.
    public private(set) var greeting = ""

    /// Connects to host:port (IPv4 or IPv6 names) and reads the greeting.
    public init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let entry = candidate {
            let socketDescriptor = socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            if socketDescriptor >= 0, connect(socketDescriptor, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 {
                connected = socketDescriptor
                break
            }
            if socketDescriptor >= 0 { close(socketDescriptor) }
            candidate = entry.pointee.ai_next
        }
        guard connected >= 0 else { throw Failure(description: "cannot connect to \(host):\(port): is the service running?") }
        descriptor = connected
        greeting = try readLine()
    }

    deinit {
        close(descriptor)
    }

    /// Sends one request line and reads its reply.
    public func send(_ line: String) throws -> Received {
        try write(Array((line + "\n").utf8))
        return try reply()
    }

    /// Writes bytes as they are.
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "the connection was closed") }
            offset += sent
        }
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

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { throw Failure(description: "the server closed the connection") }
            buffer += chunk[..<count]
        }
    }
}
