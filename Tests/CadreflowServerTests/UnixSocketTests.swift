import Foundation
import Glibc
import Testing

extension WholeServiceTests {
    /// `server.unix_socket`: the real service also serves the protocol on a socket file, and
    /// the console reaches it with `--host /path` (as psql does), Vietnamese text intact.
    @Suite("The protocol on a unix-domain socket", .serialized)
    struct UnixSocketTests {
        @Test("serve with CADREFLOW_UNIX_SOCKET: the console logs in through the socket file (mode 0660) and reads back what it wrote; TCP serves the same data; --tls on a socket is refused; the file goes at shutdown")
        func consoleThroughTheSocket() async throws {
            guard ServiceProcess.executable != nil else {
                Issue.record("the cadreflow executable is missing beside the tests")
                return
            }
            let socket = "/tmp/cf-sock-\(UUID().uuidString.prefix(8)).sock"
            let service = try ServiceProcess(environment: ["CADREFLOW_UNIX_SOCKET": socket])
            defer { service.removeEverything() }
            try await service.start()
            // Both listeners start together; the socket may come a moment after the port.
            for _ in 0..<50 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(100)) }
            var status = stat()
            #expect(stat(socket, &status) == 0, "the socket file \(socket) exists")
            #expect(status.st_mode & 0o777 == 0o660, "mode \(String(status.st_mode & 0o777, radix: 8))")

            let wrote = try await ConsoleTLSTests.console([
                "--host", socket, "-c", #"UNIT ADD HN_1 name="Thành phố Hà Nội""#, "-c", #"UNIT ADD HN_1.A name="Phường Hoàn Kiếm" parent=HN_1"#,
            ])
            #expect(wrote.code == 0, "\(wrote.output) \(wrote.error)")
            let read = try await ConsoleTLSTests.console(["--host", socket, "-c", "UNIT SHOW HN_1.A", "-c", "WHOAMI"])
            #expect(read.code == 0, "\(read.error)")
            #expect(read.output.contains("Phường Hoàn Kiếm"), "\(read.output)")
            #expect(read.output.contains("admin"), "\(read.output)")

            // The same service over TCP sees the same unit.
            let admin = try await ServiceProcessClient.login(port: service.port, "admin", ServerHarness.adminPassword)
            #expect(try await admin.send("UNIT SHOW HN_1.A").contains { $0.contains("Phường Hoàn Kiếm") })
            admin.close()

            let tls = try await ConsoleTLSTests.console(["--host", socket, "--tls", "-c", "PING"])
            #expect(tls.code == 2, "\(tls.output) \(tls.error)")
            #expect(tls.error.contains("TLS is for TCP"), "\(tls.error)")
            let missing = try await ConsoleTLSTests.console(["--host", socket + ".missing", "-c", "PING"])
            #expect(missing.code == 2)
            #expect(missing.error.contains("cannot connect to \(socket).missing"), "\(missing.error)")

            #expect(service.stop() == 0)
            #expect(!FileManager.default.fileExists(atPath: socket), "the socket file is removed at shutdown")
        }
    }
}
