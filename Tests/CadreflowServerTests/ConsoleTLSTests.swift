import CadreflowConsole
import CadreflowDatabase
import CadreflowServer
import Foundation
import Testing

@Suite("The console over TLS: a trusted CA file, the system trust store, the name, plain against TLS")
struct ConsoleTLSTests {
    /// A self-signed certificate for the DNS name localhost only (it is its own CA) and its
    /// key, in a fresh folder. No IP address in it: NIOSSL accepts a certificate that lists
    /// the address connected to whatever name was asked for, so an IP would hide the name check.
    private static func makeCertificate() throws -> (folder: String, certificate: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cf-console-tls-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let made = try ProcessRunner.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
            "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem",
        ])
        #expect(made.status == 0, "\(made.output)")
        return (folder, folder + "/cert.pem", folder + "/key.pem")
    }

    /// Runs `body` on a dispatch queue: the blocking client and child processes stay off
    /// the cooperative pool, which the server's tasks need.
    private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static var executable: URL? { ServiceProcess.executable }

    /// What one console run printed, and how it ended.
    struct Run: Sendable {
        var code: Int32
        var output: String
        var error: String
    }

    /// Runs `cadreflow console` with `arguments` (standard input empty, not a terminal),
    /// killed after 30 s so that a hang fails the test instead of stalling it (exit 124).
    static func console(_ arguments: [String]) async throws -> Run {
        guard let executable else { throw TestClient.Failure("the cadreflow executable is missing beside the tests") }
        return try await offThePool { () throws -> Run in
            let process = Process()
            let watchdog = "/usr/bin/timeout"
            if FileManager.default.isExecutableFile(atPath: watchdog) {
                process.executableURL = URL(fileURLWithPath: watchdog)
                process.arguments = ["30", executable.path, "console"] + arguments
            } else {
                process.executableURL = executable
                process.arguments = ["console"] + arguments
            }
            process.environment = ["CADREFLOW_PASSWORD": ServerHarness.adminPassword, "HOME": FileManager.default.temporaryDirectory.path]
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            let output = stdout.fileHandleForReading.readDataToEndOfFile()
            let error = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Run(code: process.terminationStatus, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
        }
    }

    @Test("--tls --ca-file runs a script; the system trust store, a name the certificate lacks, plain TCP against TLS (and back) fail with 2 and say why")
    func consoleOverTLS() async throws {
        let made = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(atPath: made.folder) }
        let settings = try TLSSettings(certificatePath: made.certificate, privateKeyPath: made.key)
        let server = try await ServerHarness.start(tls: settings)
        defer { server.stop() }
        let port = String(server.port)

        let trusted = try await Self.console(["--port", port, "--tls", "--ca-file", made.certificate, "--tls-server-name", "localhost", "-c", "PING", "-c", "WHOAMI"])
        #expect(trusted.code == 0, "\(trusted.error)")
        #expect(trusted.output.contains("OK PONG"), "\(trusted.output)")
        #expect(trusted.output.contains("admin"), "\(trusted.output)")

        // --ca-file implies --tls; without --tls-server-name the host is the name checked.
        let implied = try await Self.console(["--host", "localhost", "--port", port, "--ca-file", made.certificate, "-c", "PING"])
        #expect(implied.code == 0, "\(implied.error)")
        #expect(implied.output.contains("OK PONG"))

        let byAddress = try await Self.console(["--port", port, "--ca-file", made.certificate, "-c", "PING"])
        #expect(byAddress.code == 2)
        #expect(byAddress.error.contains("not for 127.0.0.1"), "\(byAddress.error)")

        let systemTrust = try await Self.console(["--port", port, "--tls", "--tls-server-name", "localhost", "-c", "PING"])
        #expect(systemTrust.code == 2)
        #expect(systemTrust.error.contains("certificate") || systemTrust.error.contains("trust store"), "\(systemTrust.error)")
        #expect(!systemTrust.output.contains("PONG"))

        let wrongName = try await Self.console(["--port", port, "--ca-file", made.certificate, "--tls-server-name", "other.example", "-c", "PING"])
        #expect(wrongName.code == 2)
        #expect(wrongName.error.contains("not for other.example"), "\(wrongName.error)")

        let missingFile = try await Self.console(["--port", port, "--ca-file", made.folder + "/nope.pem", "-c", "PING"])
        #expect(missingFile.code == 2)
        #expect(missingFile.error.contains("nope.pem"), "\(missingFile.error)")

        // A service with TLS on says nothing to a plain client: it gives up, and says why.
        let plain = try await Self.console(["--port", port, "--connect-timeout", "2", "-c", "PING"])
        #expect(plain.code == 2, "\(plain.error)")
        #expect(plain.error.contains("--tls"), "\(plain.error)")

        let plainServer = try await ServerHarness.start()
        defer { plainServer.stop() }
        let tlsToPlain = try await Self.console(["--port", String(plainServer.port), "--ca-file", made.certificate, "--connect-timeout", "5", "-c", "PING"])
        #expect(tlsToPlain.code == 2, "\(tlsToPlain.error)")
        #expect(tlsToPlain.error.contains("TLS"), "\(tlsToPlain.error)")

        #expect(try await Self.console(["--port", port, "--connect-timeout", "0"]).code == 64)
    }

    @Test("ProtocolClient over TLS: the greeting, pipelined requests in one write, the end after QUIT; plain TCP against TLS times out")
    func protocolClientOverTLS() async throws {
        let made = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(atPath: made.folder) }
        let settings = try TLSSettings(certificatePath: made.certificate, privateKeyPath: made.key)
        let server = try await ServerHarness.start(tls: settings)
        defer { server.stop() }
        let port = server.port
        let certificate = made.certificate

        struct Seen: Sendable {
            var greeting: String
            var pong: [String]
            var login: [String]
            var pipelined: [String]
            var bye: [String]
            var afterQuit: String
        }
        let seen = try await Self.offThePool { () throws -> Seen in
            let options = TLSClientOptions(caFile: certificate, serverName: "localhost")
            let client = try ProtocolClient(host: "127.0.0.1", port: port, tls: options, timeout: .seconds(10))
            let pong = try client.send("PING").lines
            let login = try client.send("AUTH admin \(ServerHarness.adminPassword)").lines
            try client.write(Array(String(repeating: "PING\n", count: 2_000).utf8))
            var pipelined: [String] = []
            for _ in 0..<2_000 { pipelined += try client.reply().lines }
            let bye = try client.send("QUIT").lines
            var afterQuit = ""
            do {
                _ = try client.reply()
            } catch {
                afterQuit = "\(error)"
            }
            return Seen(greeting: client.greeting, pong: pong, login: login, pipelined: pipelined, bye: bye, afterQuit: afterQuit)
        }
        #expect(seen.greeting.hasPrefix("OK cadreflow test protocol=1"))
        #expect(seen.pong == ["OK PONG"])
        #expect(seen.login.first?.hasPrefix("OK") == true, "\(seen.login)")
        #expect(seen.pipelined.count == 2_000)
        #expect(Set(seen.pipelined) == ["OK PONG"])
        #expect(seen.bye == ["OK bye"])
        #expect(seen.afterQuit == "the server closed the connection")

        let plainError = try await Self.offThePool { () -> String in
            do {
                _ = try ProtocolClient(host: "127.0.0.1", port: port, timeout: .seconds(1))
                return "connected"
            } catch {
                return "\(error)"
            }
        }
        #expect(plainError.contains("no greeting") && plainError.contains("--tls"), "\(plainError)")
    }
}
