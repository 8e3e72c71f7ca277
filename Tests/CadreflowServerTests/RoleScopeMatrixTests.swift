import Foundation
import Testing

/// Every organisation and engine command × every role × a target inside and outside the
/// account's unit subtree. Accounts: organizer, manager and viewer of BD; the tree is
/// HN → BD → BD1 and HN → TX → TX1.
@Suite("Role and scope matrix")
struct RoleScopeMatrixTests {
    enum Expect { case allowed, denied }

    /// (command inside the scope, command outside it, roles allowed).
    static let cases: [(inside: String, outside: String?, roles: Set<String>)] = [
        ("UNIT SHOW BD1", "UNIT SHOW TX", ["admin", "organizer", "manager", "viewer"]),
        ("UNIT LIST", nil, ["admin", "organizer", "manager", "viewer"]),
        ("UNIT ADD NEWB name=x parent=BD idem=%", "UNIT ADD NEWT name=x parent=TX", ["admin", "organizer"]),
        ("CADRE ADD CNEW% name=x unit=BD1", "CADRE ADD CX% name=x unit=TX1", ["admin", "organizer"]),
        ("CADRE SHOW CBD", "CADRE SHOW CTX", ["admin", "organizer", "manager", "viewer"]),
        ("CADRE LIST unit=BD", "CADRE LIST unit=TX", ["admin", "organizer", "manager", "viewer"]),
        ("CADRE MOVE CBD unit=BD1", "CADRE MOVE CTX unit=TX1", ["admin", "organizer"]),
        ("USER LIST", nil, ["admin"]),
        ("USER ADD u% role=viewer password=long-password unit=BD", nil, ["admin"]),
        ("WORKFLOW LIST", nil, ["admin", "organizer"]),
        ("TIMER LIST", nil, ["admin", "organizer"]),
        ("SCHEDULE LIST", nil, ["admin", "organizer"]),
        ("ORG IMPORT format=csv", nil, ["admin", "organizer"]),
        ("EXAM IMPORT written format=csv", nil, ["admin", "organizer"]),
        ("EXAM CREATE EX% post=x unit=BD1", "EXAM CREATE EY% post=x unit=TX1", ["organizer"]),
        ("EXAM SHOW EBD", "EXAM SHOW ETX", ["organizer", "viewer"]),
        ("EXAM LIST unit=BD", "EXAM LIST unit=TX", ["organizer", "viewer"]),
        ("EXAM REGISTER EBD CBD", "EXAM REGISTER ETX CTX", ["organizer"]),
        ("EXAM PAPERS EBD", "EXAM PAPERS ETX", ["organizer"]),
        ("EXAM KEY EBD reason=x", "EXAM KEY ETX reason=x", ["organizer"]),
        ("EXAM CANCEL EZ% reason=x", nil, ["organizer"]),
        ("REPORT EXAMS unit=BD", "REPORT EXAMS unit=TX", ["organizer", "viewer"]),
        ("ROTATION PROPOSE CBD kind=transfer to=BD1 start=2099-01-01 idem=%", "ROTATION PROPOSE CTX kind=transfer to=TX1 start=2099-01-01", ["organizer"]),
        ("ROTATION LIST", nil, ["organizer", "manager", "viewer"]),
        ("REPORT ROTATIONS", nil, ["organizer", "manager", "viewer"]),
        ("REPORT NONLOCAL position=x unit=BD", "REPORT NONLOCAL position=x unit=TX", ["organizer", "viewer"]),
        ("WHOAMI", nil, ["admin", "organizer", "manager", "viewer"]),
        ("FORMAT text", nil, ["admin", "organizer", "manager", "viewer"]),
    ]

    @Test("Each command is allowed exactly for its roles, and only inside the caller's subtree")
    func matrix() async throws {
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions())
        defer { server.stop() }
        let admin = try await server.admin()
        for line in [
            "UNIT ADD HN name=HN", "UNIT ADD BD name=BD parent=HN", "UNIT ADD BD1 name=BD1 parent=BD", "UNIT ADD TX name=TX parent=HN",
            "UNIT ADD TX1 name=TX1 parent=TX", "CADRE ADD CBD name=\"Cán bộ BD\" unit=BD", "CADRE ADD CTX name=\"Cán bộ TX\" unit=TX",
            "USER ADD org role=organizer password=org-password unit=BD", "USER ADD man role=manager password=man-password unit=BD",
            "USER ADD view role=viewer password=view-password unit=BD",
            "USER ADD orghn role=organizer password=orghn-password unit=HN",
        ] {
            try await admin.send(line).expectOK()
        }
        // Exams of each subtree, created by an organizer over both.
        let orgHN = try await server.client(as: "orghn", password: "orghn-password")
        for line in ["EXAM CREATE EBD post=\"Phó trưởng ban\" unit=BD", "EXAM CREATE ETX post=\"Phó trưởng ban\" unit=TX"] {
            try await orgHN.send(line).expectOK()
        }
        let clients = [
            "admin": admin,
            "organizer": try await server.client(as: "org", password: "org-password"),
            "manager": try await server.client(as: "man", password: "man-password"),
            "viewer": try await server.client(as: "view", password: "view-password"),
        ]
        var checked = 0
        for (index, entry) in Self.cases.enumerated() {
            for (role, client) in clients.sorted(by: { $0.key < $1.key }) {
                let unique = "\(index)\(role.prefix(1))"
                for (line, inside) in [(entry.inside, true), (entry.outside, false)] {
                    guard let line else { continue }
                    var reply = try await client.send(line.replacingOccurrences(of: "%", with: unique))
                    if reply.first?.hasPrefix("GO") == true {
                        try await client.sendRaw(Array(".\n".utf8))
                        reply = try await client.reply()
                    }
                    let first = reply.first ?? ""
                    let shouldPass = entry.roles.contains(role) && (inside || role == "admin")
                    if shouldPass {
                        #expect(!first.hasPrefix("ERR DENIED") && !first.hasPrefix("ERR AUTH"), "\(role): \(line) → \(first)")
                    } else {
                        #expect(first.hasPrefix("ERR DENIED"), "\(role): \(line) should be denied, got \(first)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 4 * (Self.cases.count + Self.cases.filter { $0.outside != nil }.count))
    }
}
