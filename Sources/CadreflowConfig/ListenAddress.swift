/// A checked `host:port` or `[IPv6]:port` listen address.
struct ListenAddress: Equatable {
    /// The host, without IPv6 brackets.
    let host: String
    /// The port, 1...65535.
    let port: Int

    /// The host and port of `text`, or nil when ``problem(with:)`` has something to say.
    init?(_ text: String) {
        guard case .success(let address) = Self.parse(text) else { return nil }
        self = address
    }

    /// Why `text` is not a listen address, or nil when it is one.
    static func problem(with text: String) -> String? {
        guard case .failure(let problem) = parse(text) else { return nil }
        return problem.reason
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    private struct Problem: Error {
        let reason: String
    }

    private static let expected = "expected host:port (e.g. 127.0.0.1:7420 or [::1]:7420)"

    private static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(Problem(reason: expected))
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard isIPv6(host) else { return .failure(Problem(reason: "[\(host)] is not an IPv6 address")) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(Problem(reason: expected)) }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure(Problem(reason: "\(expected); put an IPv6 host in brackets"))
            }
            guard !host.isEmpty, host.unicodeScalars.allSatisfy(isHostNameScalar) else {
                return .failure(Problem(reason: expected))
            }
        }
        guard !port.isEmpty, port.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
            return .failure(Problem(reason: expected))
        }
        guard let number = Int(port), (1...65_535).contains(number) else {
            return .failure(Problem(reason: "port must be between 1 and 65535"))
        }
        return .success(ListenAddress(host: String(host), port: number))
    }

    private static func isHostNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_": return true
        default: return false
        }
    }

    /// An IPv6 address in text form: eight groups of 1-4 hex digits, or fewer with one `::`,
    /// optionally ending in a dotted IPv4 address, optionally followed by `%zone`.
    static func isIPv6(_ text: Substring) -> Bool {
        var address = text
        if let percent = text.firstIndex(of: "%") {
            let zone = text[text.index(after: percent)...]
            guard !zone.isEmpty, zone.unicodeScalars.allSatisfy(isHostNameScalar) else { return false }
            address = text[..<percent]
        }
        guard address.contains(":") else { return false }
        let halves = address.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return false }
        var groups: [Substring] = []
        for half in halves where !half.isEmpty {
            groups += half.split(separator: ":", omittingEmptySubsequences: false)
        }
        var width = 0
        for (offset, group) in groups.enumerated() {
            if offset == groups.count - 1, group.contains(".") {
                guard isIPv4(group) else { return false }
                width += 2
            } else {
                guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit), group.allSatisfy(\.isASCII) else {
                    return false
                }
                width += 1
            }
        }
        return halves.count == 2 ? width <= 7 : width == 8
    }

    private static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
                && (Int(part) ?? 256) <= 255
        }
    }
}
