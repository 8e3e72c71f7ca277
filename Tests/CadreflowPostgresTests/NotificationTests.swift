import CadreflowPostgres
import CadreflowTesting
import Testing

@Suite("LISTEN / NOTIFY")
struct NotificationTests {
    @Test("A notification reaches the listener with its payload; nothing arrives after UNLISTEN")
    func roundTrip() throws {
        let database = try TestCluster.shared().makeDatabase(prefix: "notify")
        let listener = try database.connect()
        let sender = try database.connect()
        try listener.listen("cycle events")
        try sender.notify("cycle events", payload: "mở kỳ 2024-05")
        let received = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(received.map(\.payload) == ["mở kỳ 2024-05"])
        #expect(received.first?.channel == "cycle events")
        #expect(received.first?.senderPID == sender.backendPID)

        try listener.unlisten("cycle events")
        try sender.notify("cycle events", payload: "ignored")
        #expect(try listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)
    }

    @Test("A notification sent inside a rolled-back transaction is never delivered")
    func rolledBack() throws {
        let database = try TestCluster.shared().makeDatabase(prefix: "notify")
        let listener = try database.connect()
        let sender = try database.connect()
        try listener.listen("timers")
        struct Abort: Error {}
        _ = try? sender.transaction { connection in
            try connection.notify("timers", payload: "never")
            throw Abort()
        }
        #expect(try listener.waitForNotifications(timeout: .milliseconds(300)).isEmpty)
    }
}
