import Foundation

/// One configurable key: its name in the file, its type and range, and where it lives.
struct ConfigurationKey {
    enum Kind {
        case string(WritableKeyPath<Configuration, String>, check: (String) -> String?)
        case integer(WritableKeyPath<Configuration, Int>, ClosedRange<Int>)
    }

    let name: String
    let kind: Kind

    /// Every key the file may set, in file order.
    static var all: [ConfigurationKey] {
        [
            .init(name: "server.listen", kind: .string(\.server.listen) { ListenAddress.split($0) == nil ? "expected host:port (e.g. 127.0.0.1:7420 or [::1]:7420)" : nil }),
            .init(name: "server.time_zone", kind: .string(\.server.timeZoneIdentifier) { TimeZone(identifier: $0) == nil ? "unknown time zone (e.g. Asia/Ho_Chi_Minh)" : nil }),
            .init(name: "server.tls_certificate", kind: .string(\.server.tlsCertificate) { _ in nil }),
            .init(name: "server.tls_private_key", kind: .string(\.server.tlsPrivateKey) { _ in nil }),
            .init(name: "database.url", kind: .string(\.database.url) { _ in nil }),
            .init(name: "database.data_dir", kind: .string(\.database.dataDir) { $0.isEmpty ? "must not be empty" : nil }),
            .init(name: "database.pool_size", kind: .integer(\.database.poolSize, 1...256)),
            .init(name: "database.checkout_timeout_ms", kind: .integer(\.database.checkoutTimeoutMs, 1...600_000)),
            .init(name: "database.health_check_idle_ms", kind: .integer(\.database.healthCheckIdleMs, 0...3_600_000)),
            .init(name: "database.embedded_port", kind: .integer(\.database.embeddedPort, 1_024...65_535)),
            .init(name: "protocol.max_line_bytes", kind: .integer(\.protocolLimits.maxLineBytes, 256...16_777_216)),
            .init(name: "protocol.max_arguments", kind: .integer(\.protocolLimits.maxArguments, 1...65_536)),
            .init(name: "protocol.max_upload_bytes", kind: .integer(\.protocolLimits.maxUploadBytes, 1_024...68_719_476_736)),
            .init(name: "protocol.idle_timeout_seconds", kind: .integer(\.protocolLimits.idleTimeoutSeconds, 0...86_400)),
            .init(name: "protocol.max_connections", kind: .integer(\.protocolLimits.maxConnections, 1...100_000)),
            .init(name: "protocol.max_connections_per_account", kind: .integer(\.protocolLimits.maxConnectionsPerAccount, 1...100_000)),
            .init(name: "security.lockout_failures", kind: .integer(\.security.lockoutFailures, 1...100)),
            .init(name: "security.lockout_seconds", kind: .integer(\.security.lockoutSeconds, 1...86_400)),
        ]
    }

    /// Sets this key in `configuration`; `origin` names where the value came from.
    func apply(_ value: TOMLValue, to configuration: inout Configuration, origin: String) throws {
        switch (kind, value) {
        case (.string(let path, let check), .string(let text)):
            if let problem = check(text) { throw ConfigurationError("\(origin) = \"\(text)\": \(problem)") }
            configuration[keyPath: path] = text
        case (.integer(let path, let range), .integer(let number)):
            guard range.contains(number) else {
                throw ConfigurationError("\(origin) = \(number): must be between \(range.lowerBound) and \(range.upperBound)")
            }
            configuration[keyPath: path] = number
        case (.string, _):
            throw ConfigurationError("\(origin) = \(value): expected a string in double quotes")
        case (.integer, _):
            throw ConfigurationError("\(origin) = \(value): expected an integer")
        }
    }
}
