import Foundation
import Testing

@Suite("Sessions, accounts and security through a real socket")
struct SessionTests {
    @Test("Greeting; before AUTH only HELLO, AUTH, PING, HELP and QUIT are accepted")
    func beforeAuth() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let client = try await server.client()
        #expect(client.greeting == "OK cadreflow test protocol=1")
        #expect(try await client.send("PING") == ["OK PONG"])
        #expect(try await client.send("hello").first?.hasPrefix("OK cadreflow") == true)
        #expect(try await client.send("HELP PING").first == "DATA 2")
        for command in ["UNIT LIST", "UNIT ADD X name=y", "WHOAMI", "FORMAT json", "USER LIST", "WORKFLOW LIST", "TIMER LIST", "EXAM IMPORT written format=csv"] {
            #expect(try await client.send(command).first?.hasPrefix("ERR AUTH") == true, "\(command)")
        }
        #expect(try await client.send("QUIT") == ["OK bye"])
    }

    @Test("Wrong passwords fail alike; five failures lock the account even for the right password, answered as an unknown login is")
    func lockout() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        try await admin.send("USER ADD lan role=viewer password=lan-password unit=HN").expectOK()
        let client = try await server.client()
        let unknown = try await client.send("AUTH nobody whatever")
        #expect(unknown == ["ERR AUTH login failed"])
        for _ in 0..<5 {
            #expect(try await client.send("AUTH lan wrong-password").first?.hasPrefix("ERR AUTH") == true)
        }
        let locked = try await client.send("AUTH lan lan-password")
        // The same words as for a login that does not exist: the reply does not reveal the account.
        #expect(locked == unknown)
        #expect(try server.count("SELECT count(*) FROM accounts WHERE login = 'lan' AND locked_until > now()") == 1)
        // Passwords are stored only as salted slow hashes.
        #expect(try server.count("SELECT count(*) FROM accounts WHERE password_hash LIKE '%lan-password%' OR password_rounds < 210000") == 0)
    }

    @Test("Every state-changing command is audited with secrets masked; the audit trail refuses changes")
    func audit() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        #expect(try await admin.send("UNIT ADD HN name=again").first?.hasPrefix("ERR CONFLICT") == true)
        try await admin.send("USER ADD minh role=manager password=\"very secret words\" unit=HN").expectOK()
        let rows = try server.database.connect().query("SELECT login, command, result FROM audit_log ORDER BY id")
        let commands = try rows.rows.map { try $0.decode(1, as: String.self) }
        let results = try rows.rows.map { try $0.decode(2, as: String.self) }
        #expect(commands.contains { $0.hasPrefix("AUTH admin ***") })
        #expect(commands.contains("UNIT ADD HN name=\"Hà Nội\""))
        #expect(commands.contains("USER ADD minh role=manager password=*** unit=HN"))
        #expect(!commands.joined().contains("very secret"))
        #expect(!commands.joined().contains(ServerHarness.adminPassword))
        #expect(results.contains("ERR CONFLICT"))
        let connection = try server.database.connect()
        #expect(throws: (any Error).self) { try connection.query("UPDATE audit_log SET result = 'OK'") }
        #expect(throws: (any Error).self) { try connection.query("DELETE FROM audit_log") }
        #expect(throws: (any Error).self) { try connection.execute("TRUNCATE audit_log") }
    }

    @Test("Roles and unit scope: a manager or organizer of a unit sees and changes only its subtree")
    func scope() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        for line in [
            "UNIT ADD HN name=\"Hà Nội\"", "UNIT ADD BD name=\"Ba Đình\" parent=HN", "UNIT ADD TX name=\"Thanh Xuân\" parent=HN",
            "UNIT ADD BD1 name=\"Phường 1\" parent=BD",
            "USER ADD org role=organizer password=org-password unit=BD", "USER ADD view role=viewer password=view-password unit=BD",
        ] {
            try await admin.send(line).expectOK()
        }
        let organizer = try await server.client(as: "org", password: "org-password")
        try await organizer.send("UNIT ADD BD2 name=\"Phường 2\" parent=BD").expectOK()
        #expect(try await organizer.send("UNIT ADD TX1 name=x parent=TX").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("UNIT ADD ROOT2 name=x").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("UNIT SHOW TX").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("UNIT SHOW BD1").first == "DATA 2")
        let listed = try await organizer.send("UNIT LIST")
        #expect(listed.count == 2 + 3 + 1) // DATA, header, BD, BD1, BD2, END
        #expect(try await organizer.send("USER LIST").first?.hasPrefix("ERR DENIED") == true)
        let viewer = try await server.client(as: "view", password: "view-password")
        #expect(try await viewer.send("UNIT ADD BD3 name=x parent=BD").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await viewer.send("WHOAMI").contains { $0.hasPrefix("view\tviewer\tBD") })
    }
}

extension Array where Element == String {
    /// Fails the test unless this reply is OK.
    func expectOK(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(first?.hasPrefix("OK") == true, "expected OK, got \(self)", sourceLocation: sourceLocation)
    }
}
