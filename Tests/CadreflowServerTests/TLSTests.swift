import CadreflowDatabase
import CadreflowServer
import Foundation
import Testing

@Suite("TLS")
struct TLSTests {
    @Test("With a certificate configured the protocol runs over TLS; a missing file is named")
    func tls() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cf-tls-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try ProcessRunner.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem",
        ])
        #expect(made.status == 0, "\(made.output)")
        let settings = try TLSSettings(certificatePath: folder + "/cert.pem", privateKeyPath: folder + "/key.pem")
        let server = try await ServerHarness.start(tls: settings)
        defer { server.stop() }
        let session = try ProcessRunner.run("/bin/sh", ["-c", "printf 'PING\\nQUIT\\n' | timeout 20 openssl s_client -quiet -connect 127.0.0.1:\(server.port) 2>/dev/null"])
        #expect(session.output.contains("OK cadreflow test protocol=1"))
        #expect(session.output.contains("OK PONG"))
        #expect(session.output.contains("OK bye"))

        let missing = #expect(throws: TLSSetupError.self) { try TLSSettings(certificatePath: folder + "/nope.pem", privateKeyPath: folder + "/key.pem") }
        #expect(missing?.description.contains("server.tls_certificate") == true)
    }
}
