import CLibPQ
import Foundation

/// A message sent with NOTIFY (or `pg_notify`) on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    /// The channel name.
    public var channel: String
    /// The payload text (may be empty).
    public var payload: String
    /// The process id of the notifying session.
    public var senderPID: Int
}

extension PostgresConnection {
    /// Starts listening on a channel.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try quoteIdentifier(channel))")
    }

    /// Stops listening on a channel.
    public func unlisten(_ channel: String) throws {
        try execute("UNLISTEN \(try quoteIdentifier(channel))")
    }

    /// Sends a notification; delivered when the current transaction (if any) commits.
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", channel, payload)
    }

    /// Waits up to `timeout` for notifications and returns those that arrived (possibly none).
    public func waitForNotifications(timeout: Duration) throws -> [PostgresNotification] {
        var received = takeNotifications()
        if !received.isEmpty { return received }
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        guard ready >= 0 else { throw connectionError() }
        if ready > 0 {
            guard PQconsumeInput(handle) == 1 else { throw connectionError() }
            received = takeNotifications()
        }
        return received
    }

    private func takeNotifications() -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let raw = PQnotifies(handle) {
            let value = raw.pointee
            notifications.append(PostgresNotification(
                channel: String(cString: value.relname),
                payload: value.extra.map { String(cString: $0) } ?? "",
                senderPID: Int(value.be_pid)
            ))
            PQfreemem(raw)
        }
        return notifications
    }
}
