import CadreflowDatabase
import Foundation
import Testing

extension WholeServiceTests {
    /// The restore drill of docs/OPERATIONS.md: `cadreflow backup` of a running service's
    /// embedded cluster, a restore that is starting the service on the copy, and the same data.
    @Suite("Backup and restore drill", .serialized)
    struct BackupRestoreTests {
        @Test("cadreflow backup while the service runs; the service started on the copy has the data as of the backup, accounts and assessments included")
        func backupAndRestore() async throws {
            guard let executable = ServiceProcess.executable else {
                Issue.record("the cadreflow executable is missing beside the tests")
                return
            }
            let original = try ServiceProcess()
            defer { original.removeEverything() }
            try await original.start()
            let month = WholeServiceTests.CrashRestartTests.currentMonth()
            let admin = try await ServiceProcessClient.login(port: original.port, "admin", ServerHarness.adminPassword)
            let rows = ["type,code,name,parent,unit", "unit,HN,Thành phố Hà Nội,,", "unit,HN.A,Phường Cửa Nam,HN,",
                        "cadre,B001,Nguyễn Thị Lan,,HN.A", "cadre,B002,\"Lê Văn Hùng \"\"Út\"\"\",,HN.A"]
            try await admin.upload("ORG IMPORT format=csv", rows).expectOK()
            try await admin.send("USER ADD rev role=manager unit=HN.A password=rev-password-1").expectOK()
            try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
            let organizer = try await ServiceProcessClient.login(port: original.port, "org", "org-password-1")
            try await organizer.send("CYCLE OPEN \(month) unit=HN").expectOK()
            organizer.close()
            let manager = try await ServiceProcessClient.login(port: original.port, "rev", "rev-password-1")
            try await manager.send("ASSESS SELF B001 \(month) discipline=18 duties=60 bonus=2 note=\"Hoàn thành tốt\"").expectOK()
            let before = try await admin.send("CADRE SHOW B002")

            // Back up while the service runs, then change something: the copy is as of the backup.
            let target = "/tmp/cf-bak-\(UUID().uuidString.prefix(6))"
            defer { try? FileManager.default.removeItem(atPath: target) }
            let backup = try ProcessRunner.run(executable.path, ["backup", "--data-dir", original.dataDirectory, target])
            #expect(backup.status == 0, "\(backup.output)")
            #expect(backup.output.contains("restore: cadreflow serve --data-dir"))
            try await manager.send("ASSESS SELF B002 \(month) discipline=20 duties=70 bonus=0").expectOK()
            let refused = try ProcessRunner.run(executable.path, ["backup", "--data-dir", original.dataDirectory, target])
            #expect(refused.status != 0 && refused.output.contains("not empty"), "a second backup into the same folder is refused: \(refused.output)")
            manager.close()
            admin.close()
            #expect(original.stop() == 0)

            // The restore: serve on the copy.
            let restored = try ServiceProcess(dataDirectory: target)
            defer { restored.removeEverything() }
            try await restored.start()
            let reader = try await ServiceProcessClient.login(port: restored.port, "rev", "rev-password-1")
            #expect(try await reader.send("CADRE SHOW B002") == before)
            let first = try await reader.send("ASSESS SHOW B001 \(month)")
            #expect(first.first?.hasPrefix("DATA") == true && first.joined().contains("self_assessed") && first.joined().contains("Nguyễn Thị Lan"), "\(first)")
            let second = try await reader.send("ASSESS SHOW B002 \(month)")
            #expect(second.joined().contains("pending"), "the submit made after the backup is not in it: \(second)")
            reader.close()
            #expect(restored.stop() == 0, "\(restored.lastLog())")
        }
    }
}
