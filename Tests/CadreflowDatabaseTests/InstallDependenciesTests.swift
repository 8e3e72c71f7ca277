import CadreflowDatabase
import Foundation
import Glibc
import Testing

/// `scripts/install-dependencies --check` decides what a machine lacks; run here in an empty
/// environment whose PATH holds only fakes: a `dpkg` (through CADREFLOW_DPKG) that knows the
/// packages in FAKE_INSTALLED, and whatever programs a case puts there, over an empty
/// CADREFLOW_SYSROOT, so the real machine's packages do not count.
@Suite("The installer's decision: which Debian packages are missing")
struct InstallDependenciesTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/install-dependencies").path

    static let every = "postgresql postgresql-contrib postgresql-client pkg-config libpq-dev libedit-dev util-linux python3 openssl tzdata"

    /// A fake machine: `bin/` (PATH), `tools/dpkg`, `root/` (the sysroot).
    private struct Machine {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cf-deps-\(UUID().uuidString)").path

        init() throws {
            for sub in ["bin", "tools", "root"] {
                try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
            }
            try write("tools/dpkg", """
                #!/bin/bash
                # dpkg -s PACKAGE, answered from FAKE_INSTALLED.
                for package in $FAKE_INSTALLED; do
                    if [[ $2 == "$package" ]]; then
                        printf 'Package: %s\\nStatus: install ok installed\\n' "$package"
                        exit 0
                    fi
                done
                echo "dpkg-query: package '$2' is not installed and no information is available" >&2
                exit 1
                """)
        }

        /// Writes an executable (or, with `mode`, a plain file) under the fake machine.
        func write(_ path: String, _ text: String, mode: Int = 0o755) throws {
            let full = folder + "/" + path
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: full).deletingLastPathComponent().path, withIntermediateDirectories: true
            )
            // Opened close-on-exec: a process that another test spawns meanwhile must not
            // inherit the descriptor open for writing, or running this script fails with
            // ETXTBSY (text file busy) for as long as that process lives.
            let descriptor = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
            guard descriptor >= 0 else { throw DatabaseSetupError("cannot create \(full)") }
            defer { close(descriptor) }
            let bytes = Array((text + "\n").utf8)
            guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
                throw DatabaseSetupError("cannot write \(full)")
            }
            fchmod(descriptor, mode_t(mode))
        }

        /// Programs on the fake PATH that only exit 0.
        func programs(_ names: [String]) throws {
            for name in names { try write("bin/" + name, "#!/bin/sh\nexit 0") }
        }

        /// Runs the script with `arguments`, dpkg knowing `installed`.
        func run(_ arguments: [String], installed: [String] = []) throws -> ProcessRunner.Outcome {
            try ProcessRunner.run("/usr/bin/env", [
                "-i", "PATH=\(folder)/bin", "CADREFLOW_DPKG=\(folder)/tools/dpkg", "CADREFLOW_SYSROOT=\(folder)/root",
                "FAKE_INSTALLED=\(installed.joined(separator: " "))", "/bin/bash", InstallDependenciesTests.script,
            ] + arguments)
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    @Test("A bare machine lacks every package; --check prints them and the apt-get line, installs nothing, exits 0")
    func bareMachine() throws {
        let machine = try Machine()
        defer { machine.remove() }
        let outcome = try machine.run(["--check"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("install-dependencies: packages: \(Self.every)\n"), "\(outcome.output)")
        #expect(outcome.output.contains(
            "install-dependencies: would run: apt-get update -qq && apt-get install -y -qq --no-install-recommends \(Self.every)\n"
        ), "\(outcome.output)")
        #expect(try machine.run(["--dry-run"]).output == outcome.output)
    }

    @Test("Packages dpkg reports installed are not installed again")
    func dpkgDecides() throws {
        let machine = try Machine()
        defer { machine.remove() }
        // pkg-config is there but knows neither libpq nor libedit.
        try machine.write("bin/pkg-config", "#!/bin/sh\nexit 1")
        let installed = Self.every.split(separator: " ").map(String.init).filter { $0 != "libpq-dev" && $0 != "libedit-dev" }
        let outcome = try machine.run(["--check"], installed: installed)
        #expect(outcome.status == 0)
        #expect(outcome.output.contains("install-dependencies: packages: libpq-dev libedit-dev\n"), "\(outcome.output)")
        #expect(outcome.output.contains("--no-install-recommends libpq-dev libedit-dev\n"), "\(outcome.output)")
    }

    @Test("What a package would bring counts when it is there anyway (programs, headers, pkg-config modules)")
    func probesCount() throws {
        let machine = try Machine()
        defer { machine.remove() }
        try machine.programs(["psql", "pgbench", "runuser", "python3", "openssl"])
        try machine.write("bin/pkg-config", "#!/bin/bash\n[[ $1 == --exists && ( $2 == libpq || $2 == libedit ) ]]")
        for program in ["initdb", "pg_ctl", "postgres"] {
            try machine.write("root/usr/lib/postgresql/16/bin/" + program, "#!/bin/sh\nexit 0")
        }
        try machine.write("root/usr/share/zoneinfo/Asia/Ho_Chi_Minh", "TZif", mode: 0o644)
        let outcome = try machine.run(["--check"])
        #expect(outcome.status == 0)
        #expect(outcome.output == "install-dependencies: nothing missing\n")
        // Without --check nothing is printed when nothing is missing.
        #expect(try machine.run([]).output == "")
    }

    @Test("Installing where apt-get cannot be run fails, printing the line to run")
    func cannotInstall() throws {
        let machine = try Machine()
        defer { machine.remove() }
        let outcome = try machine.run([], installed: Self.every.split(separator: " ").map(String.init).filter { $0 != "openssl" })
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("apt-get update -qq && apt-get install -y -qq --no-install-recommends openssl\n"), "\(outcome.output)")
    }

    @Test("An unknown argument is a usage error")
    func usage() throws {
        let machine = try Machine()
        defer { machine.remove() }
        #expect(try machine.run(["--frobnicate"]).status == 64)
    }
}
