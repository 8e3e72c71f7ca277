import CadreflowEngine
import CadreflowProtocol
import CadreflowRules
import CadreflowServer
import Foundation
import Testing

/// A one-step workflow mounted by a test-only command group: the seam a domain command
/// uses to commit an engine transition with its audit row, once per `idem=` key.
private enum TicketWorkflow {
    static let definition = WorkflowDefinition(
        name: "ticket", version: 1, states: ["open", "done"], initial: "open", final: ["done"],
        transitions: [TransitionDefinition(name: "finish", from: ["open"], to: "done", roles: ["admin"])], timers: []
    )

    static func group(_ engine: WorkflowEngine) -> [CommandGroup] {
        [CommandGroup("ticket", [
            CommandSpec(name: "TICKET OPEN", usage: "TICKET OPEN <key>", summary: "open a ticket", roles: [.admin]) {
                (request: Request, _: inout SessionState, _: ServerContext) async throws -> CommandWrite in
                let key = try request.word(2, "key")
                return .inTransaction { connection in
                    .ok(try engine.on(connection).create(workflow: "ticket", key: key, actor: Actor(name: "admin", role: "admin")).key)
                }
            },
            CommandSpec(name: "TICKET FINISH", usage: "TICKET FINISH <key>", summary: "finish a ticket", roles: [.admin]) {
                (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
                let key = try request.word(2, "key")
                let login = try session.requireAccount().login
                return .committing { records in
                    let outcome = try await engine.transition(TransitionCommand(
                        instance: .key(key), transition: "finish", actor: Actor(name: login, role: "admin"),
                        idempotencyKey: records.idempotencyKey, attachedWrites: records.statements
                    ))
                    return .ok("\(outcome.instance.key) \(outcome.from) -> \(outcome.instance.state) v\(outcome.instance.version)")
                }
            },
        ])]
    }
}

@Suite("One commit per command: the change, its idem= record and its audit row together")
struct IdempotencyTests {
    @Test("The same key on two connections at once: one change, the same reply twice")
    func concurrentSameKey() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        for round in 0..<5 {
            let first = try await server.admin()
            let second = try await server.admin()
            let line = "CADRE ADD CB\(round) name=\"Nguyễn Văn An\" unit=HN idem=same-\(round)"
            async let a = first.send(line)
            async let b = second.send(line)
            let replies = try await [a, b]
            #expect(replies == [["OK CB\(round)"], ["OK CB\(round)"]])
        }
        #expect(try server.count("SELECT count(*) FROM cadres") == 5)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command LIKE 'CADRE ADD%' AND result = 'OK'") == 5)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command LIKE 'CADRE ADD%' AND result = 'OK replayed'") == 5)
    }

    @Test("Two service instances on one database: one key yields one change and one reply")
    func twoInstances() async throws {
        let one = try await ServerHarness.start()
        defer { one.stop() }
        let two = try await ServerHarness.start(existing: one.database)
        defer { two.stop() }
        try await one.admin().send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        let a = try await one.admin()
        let b = try await two.admin()
        async let first = a.send("UNIT ADD BD name=\"Ba Đình\" parent=HN idem=both")
        async let second = b.send("UNIT ADD BD name=\"Ba Đình\" parent=HN idem=both")
        #expect(try await [first, second] == [["OK BD"], ["OK BD"]])
        #expect(try one.count("SELECT count(*) FROM units WHERE code = 'BD'") == 1)
    }

    @Test("A service killed between commit and reply: the retry with the key after a restart gets the original reply")
    func lostReply() async throws {
        let stall = try await ServerHarness.start(afterCommit: { request in
            // Never answer: the service "dies" here, after COMMIT, before the reply.
            if request.option("idem") == "lost" { try? await Task.sleep(for: .seconds(20)) }
        })
        let admin = try await stall.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        try await admin.sendRaw(Array("CADRE ADD CB1 name=\"Trần Thị Bình\" unit=HN idem=lost\n".utf8))
        for _ in 0..<100 where try stall.count("SELECT count(*) FROM cadres") == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try stall.count("SELECT count(*) FROM cadres") == 1)
        stall.stop()
        await #expect(throws: (any Error).self) { _ = try await admin.reply() }
        let restarted = try await ServerHarness.start(existing: stall.database)
        defer { restarted.stop() }
        let retry = try await restarted.admin()
        #expect(try await retry.send("CADRE ADD CB1 name=\"Trần Thị Bình\" unit=HN idem=lost") == ["OK CB1"])
        #expect(try await retry.send("CADRE ADD CB1 name=\"Trần Thị Bình\" unit=HN").first?.hasPrefix("ERR CONFLICT") == true)
        #expect(try restarted.count("SELECT count(*) FROM cadres") == 1)
        #expect(try restarted.count("SELECT count(*) FROM audit_log WHERE command LIKE 'CADRE ADD CB1%idem=lost' AND result = 'OK'") == 1)
    }

    @Test("Uploads honour idem=; refused commands are audited as refused; every change has its audit row")
    func uploadsAndRefusals() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        let lines = ["type,code,name,parent,unit", "unit,HN,Hà Nội,,", "cadre,CB1,Lê Văn Cường,,HN"]
        #expect(try await admin.upload("ORG IMPORT format=csv idem=file-1", lines) == ["OK imported 2 rows (1 units, 1 cadres)"])
        #expect(try await admin.upload("ORG IMPORT format=csv idem=file-1", lines) == ["OK imported 2 rows (1 units, 1 cadres)"])
        #expect(try await admin.upload("ORG IMPORT format=csv", lines).first?.hasPrefix("ERR CONFLICT line 2: unit HN exists already") == true)
        try await admin.send("USER ADD xem role=viewer password=viewer-pass unit=HN").expectOK()
        let viewer = try await server.client(as: "xem", password: "viewer-pass")
        #expect(try await viewer.send("CADRE ADD CB2 name=x unit=HN").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await admin.send("CADRE ADD CB2 name=x unit=NOWHERE").first?.hasPrefix("ERR NOTFOUND") == true)
        #expect(try await admin.send("CADRE ADD CB2 name=x unit=HN born=1990-02-30").first?.hasPrefix("ERR INVALID born") == true)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE login = 'xem' AND command LIKE 'CADRE ADD CB2%' AND result = 'ERR DENIED'") == 1)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command LIKE 'CADRE ADD CB2%' AND result IN ('ERR NOTFOUND', 'ERR INVALID')") == 2)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command LIKE 'ORG IMPORT%' AND result = 'upload OK'") == 1)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command LIKE 'ORG IMPORT%' AND result = 'upload ERR CONFLICT'") == 1)
        #expect(try server.count("SELECT count(*) FROM cadres") == 1)
    }

    @Test("An engine transition commits its audit row in its group-commit batch; idem= replays the first outcome")
    func engineTransition() async throws {
        let server = try await ServerHarness.start(definitions: [TicketWorkflow.definition], extraGroups: TicketWorkflow.group)
        defer { server.stop() }
        let admin = try await server.admin()
        #expect(try await admin.send("TICKET OPEN T_1") == ["OK T_1"])
        #expect(try await admin.send("TICKET FINISH T_1 idem=f1") == ["OK T_1 open -> done v2"])
        let again = try await server.admin()
        #expect(try await again.send("TICKET FINISH T_1 idem=f1") == ["OK T_1 open -> done v2"])
        #expect(try await again.send("TICKET FINISH T_1").first?.hasPrefix("ERR CONFLICT") == true)
        #expect(try server.count("SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id WHERE i.key = 'T_1'") == 2)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command = 'TICKET FINISH T_1 idem=f1' AND result = 'OK'") == 1)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command = 'TICKET FINISH T_1' AND result = 'ERR CONFLICT'") == 1)
    }
}
