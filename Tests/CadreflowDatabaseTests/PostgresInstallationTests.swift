import CadreflowDatabase
import Foundation
import Testing

/// Which server programs a cluster gets, on fake layouts of `/usr/lib/postgresql` and PATH
/// (empty executable files; a `postgres` on PATH that prints its version).
@Suite("PostgreSQL programs: the cluster's PG_VERSION, else the newest")
struct PostgresInstallationTests {
    /// A temporary folder holding `lib/<version>/bin` with the three server programs for each
    /// of `servers`, only `psql` for each of `clientsOnly`, and an empty `path/`.
    private struct Layout {
        let folder: String
        var debianRoot: String { folder + "/lib" }
        var pathFolder: String { folder + "/path" }

        init(servers: [String], clientsOnly: [String] = []) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("cf-pginstall-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder + "/path", withIntermediateDirectories: true)
            for version in servers {
                for program in ["initdb", "pg_ctl", "postgres", "psql"] {
                    try Self.executable(folder + "/lib/\(version)/bin/\(program)", "#!/bin/sh\nexit 0\n")
                }
            }
            for version in clientsOnly {
                try Self.executable(folder + "/lib/\(version)/bin/psql", "#!/bin/sh\nexit 0\n")
            }
        }

        /// Server programs on PATH whose `postgres --version` says `version`.
        func serverOnPath(reporting version: String) throws {
            for program in ["initdb", "pg_ctl"] {
                try Self.executable(pathFolder + "/" + program, "#!/bin/sh\nexit 0\n")
            }
            try Self.executable(pathFolder + "/postgres", "#!/bin/sh\necho 'postgres (PostgreSQL) \(version) (Debian \(version)-1)'\n")
        }

        /// A cluster folder whose PG_VERSION holds `version` (nil: a cluster not created yet).
        func cluster(_ version: String?) throws -> String {
            let directory = folder + "/data-\(version ?? "new")/postgres"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let version { try "\(version)\n".write(toFile: directory + "/PG_VERSION", atomically: true, encoding: .utf8) }
            return directory
        }

        func locate(_ cluster: String?) throws -> PostgresInstallation {
            try PostgresInstallation.locate(forCluster: cluster, debianRoot: debianRoot, searchPath: [pathFolder])
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: folder)
        }

        private static func executable(_ path: String, _ text: String) throws {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true
            )
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o755]) else {
                throw DatabaseSetupError("cannot create \(path)")
            }
        }
    }

    @Test("A new cluster gets the newest version with server programs (a client-only folder does not count)")
    func newClusterTakesNewest() throws {
        let layout = try Layout(servers: ["15", "17", "9.6"], clientsOnly: ["18"])
        defer { layout.remove() }
        let expected = PostgresInstallation(
            initdb: layout.debianRoot + "/17/bin/initdb", pgCtl: layout.debianRoot + "/17/bin/pg_ctl",
            postgres: layout.debianRoot + "/17/bin/postgres"
        )
        #expect(try layout.locate(nil) == expected)
        #expect(try layout.locate(layout.cluster(nil)) == expected, "no PG_VERSION yet")
        #expect(try layout.locate(layout.cluster("9.6")).postgres == layout.debianRoot + "/9.6/bin/postgres", "an old version by its full name")
    }

    @Test("An existing cluster gets the version in its PG_VERSION, not the newest beside it")
    func existingClusterTakesItsVersion() throws {
        let layout = try Layout(servers: ["15", "17"])
        defer { layout.remove() }
        let installation = try layout.locate(layout.cluster("15"))
        #expect(installation.initdb == layout.debianRoot + "/15/bin/initdb")
        #expect(installation.pgCtl == layout.debianRoot + "/15/bin/pg_ctl")
        #expect(installation.postgres == layout.debianRoot + "/15/bin/postgres")
        #expect(try layout.locate(layout.cluster("17")).postgres == layout.debianRoot + "/17/bin/postgres")
    }

    @Test("A cluster whose version is not installed is refused, naming the version, the package and what is there")
    func missingVersionIsNamed() throws {
        let layout = try Layout(servers: ["17"], clientsOnly: ["14"])
        defer { layout.remove() }
        let cluster = try layout.cluster("14")
        let error = #expect(throws: DatabaseSetupError.self) { try layout.locate(cluster) }
        let message = error?.message ?? ""
        #expect(message.contains("the cluster in \(cluster) was created by PostgreSQL 14"), "\(message)")
        #expect(message.contains("apt-get install postgresql-14"), "\(message)")
        #expect(message.contains("found: PostgreSQL 17 in \(layout.debianRoot)/17/bin"), "\(message)")
    }

    @Test("Programs on PATH serve a cluster of their own version (asked with postgres --version) and new clusters")
    func programsOnPath() throws {
        let layout = try Layout(servers: ["15", "17"])
        defer { layout.remove() }
        try layout.serverOnPath(reporting: "16.4")
        #expect(try layout.locate(nil).postgres == layout.pathFolder + "/postgres", "PATH first for a new cluster")
        #expect(try layout.locate(layout.cluster("16")).postgres == layout.pathFolder + "/postgres")
        #expect(try layout.locate(layout.cluster("15")).postgres == layout.debianRoot + "/15/bin/postgres", "PATH has 16")
        let error = #expect(throws: DatabaseSetupError.self) { try layout.locate(layout.cluster("13")) }
        #expect(error?.message.contains("PostgreSQL 16 at \(layout.pathFolder)/postgres") == true, "\(error?.message ?? "")")
    }

    @Test("Major versions from postgres --version", arguments: [
        ("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "15"),
        ("postgres (PostgreSQL) 17.2", "17"),
        ("postgres (PostgreSQL) 18beta1", "18"),
        ("postgres (PostgreSQL) 9.6.24", "9.6"),
        ("pg_ctl (PostgreSQL)", nil),
        ("something else", nil),
    ] as [(String, String?)])
    func majorVersions(output: String, expected: String?) {
        #expect(PostgresInstallation.majorVersion(fromVersionOutput: output) == expected)
    }
}
