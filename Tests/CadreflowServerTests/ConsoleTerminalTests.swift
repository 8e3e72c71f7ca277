import CadreflowEngine
import CadreflowRules
import Foundation
import Testing

@Suite("The console end to end: a pseudo-terminal and scripts (one at a time: they time a terminal)", .serialized)
struct ConsoleTerminalTests {
    private var executable: URL? { ServiceProcess.executable }

    /// Types `lines` into the console on a pseudo-terminal (python3's pty: the console sees
    /// a terminal, libedit edits), in the C locale as a bare environment has it.
    private func type(_ lines: [String], port: Int, home: String, console: URL) throws -> String {
        let script = """
            import os, pty, sys, time, select
            pid, fd = pty.fork()
            if pid == 0:
                os.execve(sys.argv[1], [sys.argv[1], "console", "--port", sys.argv[2]],
                          {"HOME": sys.argv[3], "CADREFLOW_PASSWORD": sys.argv[4], "TERM": "dumb", "PATH": "/usr/bin:/bin"})
            out = b""
            def wait_for_prompts(count, seconds):
                # Reads until the prompt has been shown `count` times (or the time is up).
                global out
                end = time.time() + seconds
                while time.time() < end and out.count(b"cadreflow> ") < count:
                    ready, _, _ = select.select([fd], [], [], 0.05)
                    if ready:
                        try:
                            chunk = os.read(fd, 65536)
                        except OSError:
                            return
                        if not chunk:
                            return
                        out += chunk
            wait_for_prompts(1, 8)
            typed = 0
            for line in sys.stdin.read().split("\\n"):
                if line:
                    os.write(fd, line.encode("utf-8") + b"\\r")
                    typed += 1
                    wait_for_prompts(typed + 1, 8)
            # A completion redraws the prompt: read a little longer for the last reply.
            wait_for_prompts(1000, 1.5)
            os.write(fd, b"\\x04")
            time.sleep(0.5)
            sys.stdout.buffer.write(out)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, console.path, String(port), home, ServerHarness.adminPassword]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(lines.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("Vietnamese typed at the prompt reaches the service exactly; lines with secrets stay out of the history file")
    func vietnameseAtThePrompt() async throws {
        guard let console = executable, FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            Issue.record("the cadreflow executable or python3 is missing beside the tests")
            return
        }
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("console-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let screen = try type([
            "UNIT ADD HN name=\"Thành phố Hà Nội\"",
            "CADRE ADD CB1 name=\"Nguyễn Thị Lan\" unit=HN position=\"Phó Bí thư Đảng ủy\"",
            "USER ADD lan role=viewer password=\"mật khẩu bí mật\" unit=HN",
            "CADRE SHOW CB1",
            "HELP UNIT ME\t",
        ], port: server.port, home: home, console: console)
        let stored = try server.database.connect().query("SELECT full_name, position FROM cadres WHERE code = 'CB1'").rows.first
        #expect(try stored?.decode(0, as: String.self) == "Nguyễn Thị Lan", "\(screen)")
        #expect(try stored?.decode(1, as: String.self) == "Phó Bí thư Đảng ủy")
        #expect(try server.database.connect().query("SELECT name FROM units WHERE code = 'HN'").scalar(String.self) == "Thành phố Hà Nội")
        #expect(screen.contains("Nguyễn Thị Lan"))
        // Tab completed MERGE from the server's HELP, so HELP answered for UNIT MERGE.
        #expect(screen.contains("merge units into one"), "\(screen)")
        // libedit writes spaces as \040.
        let history = ((try? String(contentsOfFile: home + "/.cadreflow_history", encoding: .utf8)) ?? "").replacingOccurrences(of: "\\040", with: " ")
        #expect(history.contains("CADRE SHOW CB1"), "\(history)")
        #expect(history.contains("name=\"Nguyễn Thị Lan\""))
        #expect(!history.contains("password=") && !history.contains("bí mật"))
    }

    /// Runs the console with arguments and standard input (not a terminal); returns the exit code and standard output.
    private func console(_ arguments: [String], input: String = "", password: String = ServerHarness.adminPassword) throws -> (code: Int32, output: String) {
        guard let executable else { throw TestClient.Failure("the cadreflow executable is missing beside the tests") }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["console"] + arguments
        process.environment = ["CADREFLOW_PASSWORD": password, "HOME": FileManager.default.temporaryDirectory.path]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("An exam from draft to appointment through the console: the markers' codes read as rows, the results sent as files with < file")
    func examThroughConsole() async throws {
        let clock = ManualClock(ExamTests.moment("2026-03-02T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        _ = try await ExamTests.city(server)
        let port = String(server.port)
        func org(_ commands: [String]) throws -> (code: Int32, output: String) {
            try console(["--port", port, "--user", "org", "--stop-on-error"] + commands.flatMap { ["-c", $0] }, password: "org-password-1")
        }
        let opened = try org([
            "EXAM CREATE PGD-SNV post=\"Phó Giám đốc Sở Nội vụ\" unit=SNV", "EXAM ANNOUNCE PGD-SNV deadline=2026-03-20",
            "EXAM REGISTER PGD-SNV C1", "EXAM REGISTER PGD-SNV C2", "EXAM ELIGIBLE PGD-SNV C1 yes", "EXAM ELIGIBLE PGD-SNV C2 yes",
            "EXAM CLOSE PGD-SNV", "EXAM START PGD-SNV",
        ])
        #expect(opened.code == 0, "\(opened.output)")
        let papers = try org(["EXAM PAPERS PGD-SNV"])
        let codes = papers.output.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) }
        #expect(codes.count == 2 && codes.allSatisfy(PaperCode.isWellFormed), "\(papers.output)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cf-exam-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (["exam;paper;score"] + zip(codes, ["81,5", "64"]).map { "PGD-SNV;\($0);\($1)" }).joined(separator: "\r\n").write(toFile: folder + "/written.csv", atomically: true, encoding: .utf8)
        let key = try ExamTests.key(server, "PGD-SNV")
        let winner = key.first { $0.value == codes[0] }?.key ?? "?"
        let other = winner == "C1" ? "C2" : "C1"
        try ["exam,candidate,member,score", "PGD-SNV,\(winner),\"Ủy viên Nguyễn Văn An\",80", "PGD-SNV,\(other),\"Ủy viên Nguyễn Văn An\",70"]
            .joined(separator: "\n").write(toFile: folder + "/defense.csv", atomically: true, encoding: .utf8)
        let finished = try org([
            "EXAM IMPORT written format=csv < \(folder)/written.csv", "EXAM IMPORT defense format=csv < \(folder)/defense.csv",
            "EXAM PUBLISH PGD-SNV", "EXAM APPOINT PGD-SNV decision=\"QĐ 123/QĐ-UBND\"", "EXAM SHOW PGD-SNV",
        ])
        #expect(finished.code == 0, "\(finished.output)")
        #expect(finished.output.contains("names revealed and the defense round open: PGD-SNV"))
        #expect(finished.output.contains("OK PGD-SNV appointed: \(winner) holds \"Phó Giám đốc Sở Nội vụ\" in SNV from 2026-03-02 (QĐ 123/QĐ-UBND)"), "\(finished.output)")
        #expect(finished.output.contains("\(winner)\t"), "\(finished.output)")
        #expect(finished.output.contains("81.5\t80\t80.75\t1\tyes"), "\(finished.output)")
        #expect(try server.count("SELECT count(*) FROM cadres WHERE code = '\(winner)' AND unit_code = 'SNV' AND position = 'Phó Giám đốc Sở Nội vụ'") == 1)
    }

    @Test("An assignment from proposal to completion through the console; the timers move it in between")
    func assignmentThroughConsole() async throws {
        let clock = ManualClock(AssignmentTests.moment("2026-03-02T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        _ = try await AssignmentTests.city(server)
        let port = String(server.port)
        func org(_ commands: [String]) throws -> (code: Int32, output: String) {
            try console(["--port", port, "--user", "org", "--stop-on-error"] + commands.flatMap { ["-c", $0] }, password: "org-password-1")
        }
        let proposed = try org([
            "ROTATION PROPOSE C1 kind=rotation to=P2 start=2026-04-01 months=36 position=\"Phó Bí thư Đảng ủy phường\"",
            "ROTATION APPROVE A1 decision=\"QĐ 45/QĐ-TU\"",
        ])
        #expect(proposed.code == 0, "\(proposed.output)")
        #expect(proposed.output.contains("A1 checked: rotation of C1 from P1 to P2"), "\(proposed.output)")
        clock.set(AssignmentTests.moment("2026-04-01T00:05:00+07:00"))
        try await server.engine.fireDueTimers()
        clock.set(AssignmentTests.moment("2029-03-03T00:00:00+07:00"))
        try await server.engine.fireDueTimers()
        let finished = try org(["ROTATION EVALUATE A1 result=\"Hoàn thành xuất sắc\"", "ROTATION COMPLETE A1 outcome=return", "ROTATION LIST"])
        #expect(finished.code == 0, "\(finished.output)")
        #expect(finished.output.contains("A1 completed: C1 is back in P1"), "\(finished.output)")
        #expect(finished.output.contains("A1\tC1\tNguyễn Văn An\trotation\tP1\tP2\t2026-04-01\t2029-04-01\tcompleted\tQĐ 45/QĐ-TU"), "\(finished.output)")
        let refused = try org(["ROTATION CANCEL A1 reason=x"])
        #expect(refused.code == 1)
    }

    @Test("cadreflow check validates the configuration, definitions and rule sets without starting anything, naming the problem")
    func check() throws {
        guard let executable else { throw TestClient.Failure("the cadreflow executable is missing beside the tests") }
        func run(_ arguments: [String]) throws -> (code: Int32, output: String) {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["check"] + arguments
            process.environment = ["HOME": FileManager.default.temporaryDirectory.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cf-check-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/workflows", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = try run([])
        #expect(good.code == 0, "\(good.output)")
        #expect(good.output.contains("workflows: assessment v2, assignment v2, exam v2, monthly_cycle v2"), "\(good.output)")
        #expect(good.output.contains("rule sets: qd3814-monthly from 2018-06"), "\(good.output)")
        try "[exam]\npass_mark = 150\n".write(toFile: folder + "/bad.toml", atomically: true, encoding: .utf8)
        let badKey = try run(["--config", folder + "/bad.toml"])
        #expect(badKey.code == 1)
        #expect(badKey.output.contains("exam.pass_mark"), "\(badKey.output)")
        try #"{"name": "x", "version": 1, "states": ["a"], "initial": "a", "final": [], "transitions": [{"name": "t", "from": ["a"], "to": "b", "roles": ["organizer"]}]}"#
            .write(toFile: folder + "/workflows/x.json", atomically: true, encoding: .utf8)
        try "[engine]\nworkflows_dir = \"\(folder)/workflows\"\n".write(toFile: folder + "/wf.toml", atomically: true, encoding: .utf8)
        let badDefinition = try run(["--config", folder + "/wf.toml"])
        #expect(badDefinition.code == 1)
        #expect(badDefinition.output.contains("x.json"), "\(badDefinition.output)")
    }

    @Test("Tables print as tab-separated rows with a header (--raw: without); 1 for an ERR reply, 2 for a failed login or connection, 64 for usage")
    func scripts() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let port = String(server.port)
        let added = try console(["--port", port, "-c", "UNIT ADD HN name=\"Hà Nội\"", "-c", "UNIT ADD BD name=\"Ba Đình\" parent=HN"])
        #expect(added.code == 0)
        let listed = try console(["--port", port, "-c", "UNIT LIST"])
        #expect(listed.output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).prefix(3).joined(separator: "|") }
            == ["code|name|parent", "HN|Hà Nội|", "BD|Ba Đình|HN"])
        #expect(try console(["--port", port, "--raw", "-c", "UNIT LIST"]).output.hasPrefix("HN\tHà Nội"))
        #expect(try console(["--port", port, "-c", "UNIT SHOW NOPE"]).code == 1)
        let stopped = try console(["--port", port, "--stop-on-error"], input: "UNIT SHOW NOPE\nUNIT ADD TX name=x parent=HN\n")
        #expect(stopped.code == 1)
        #expect(try server.count("SELECT count(*) FROM units WHERE code = 'TX'") == 0)
        let carriedOn = try console(["--port", port], input: "UNIT SHOW NOPE\nUNIT ADD TX name=x parent=HN\n")
        #expect(carriedOn.code == 1)
        #expect(try server.count("SELECT count(*) FROM units WHERE code = 'TX'") == 1)
        #expect(try console(["--port", port, "-c", "PING"], password: "wrong-password").code == 2)
        #expect(try console(["--port", "1", "-c", "PING"]).code == 2)
        #expect(try console(["--no-such-flag"]).code == 64)
    }
}
