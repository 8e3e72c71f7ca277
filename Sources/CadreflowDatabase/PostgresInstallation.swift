import Foundation

/// Where the PostgreSQL server programs are: on PATH, or in the versioned folder where
/// Debian's `postgresql-<major>` package puts them (`/usr/lib/postgresql/15/bin`).
public struct PostgresInstallation: Sendable, Equatable {
    /// Path of `initdb`.
    public var initdb: String
    /// Path of `pg_ctl`.
    public var pgCtl: String
    /// Path of `postgres`.
    public var postgres: String

    /// An installation from its three programs' paths.
    public init(initdb: String, pgCtl: String, postgres: String) {
        self.initdb = initdb
        self.pgCtl = pgCtl
        self.postgres = postgres
    }

    /// Another program of this installation (`pg_basebackup`, say): beside `pg_ctl`, or beside
    /// the file `pg_ctl` links to (a link on PATH into Debian's versioned folder).
    public func tool(_ name: String) -> String {
        let linked = URL(fileURLWithPath: pgCtl)
        for folder in [linked.resolvingSymlinksInPath().deletingLastPathComponent(), linked.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return linked.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The folder of Debian's versioned installations.
    public static let debianRoot = "/usr/lib/postgresql"

    /// Finds the programs for a cluster.
    ///
    /// A cluster that exists (its `PG_VERSION` file names the major version it was created
    /// by) needs that version's programs: those on PATH when `postgres --version` reports
    /// that major, else `<debianRoot>/<major>/bin`; a newer version beside it is not used.
    /// A new cluster (no `PG_VERSION`, or no `clusterDirectory`) takes those on PATH, else
    /// the newest Debian version.
    /// - Parameters:
    ///   - clusterDirectory: the cluster folder (the one holding `PG_VERSION`), if known.
    ///   - debianRoot: where the versioned installations are (tests lay out a fake one).
    ///   - searchPath: the folders searched before them, `PATH`'s by default.
    /// - Throws: ``DatabaseSetupError`` naming what is missing and the package to install.
    public static func locate(
        forCluster clusterDirectory: String? = nil,
        debianRoot: String = PostgresInstallation.debianRoot,
        searchPath: [String]? = nil
    ) throws -> PostgresInstallation {
        let pathFolders = searchPath ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":").map(String.init)
        // Versions whose server programs are there (a client package makes the folder too).
        let installed = debianVersions(root: debianRoot).filter { programs(in: ["\(debianRoot)/\($0)/bin"]) != nil }
        let onPath = programs(in: pathFolders)
        if let clusterDirectory, let needed = clusterVersion(clusterDirectory) {
            let pathVersion = onPath.flatMap { serverMajorVersion($0.postgres) }
            if let onPath, pathVersion == needed {
                return onPath
            }
            if let matching = programs(in: ["\(debianRoot)/\(needed)/bin"]) {
                return matching
            }
            var found = installed.map { "PostgreSQL \($0) in \(debianRoot)/\($0)/bin" }
            if let onPath { found.append("PostgreSQL \(pathVersion ?? "of unknown version") at \(onPath.postgres)") }
            let foundText: String = found.isEmpty ? "no server programs found" : "found: " + found.joined(separator: ", ")
            throw DatabaseSetupError(
                "the cluster in \(clusterDirectory) was created by PostgreSQL \(needed) (its PG_VERSION), whose server programs "
                    + "are not installed (\(foundText)): install them with 'apt-get install postgresql-\(needed)', "
                    + "or upgrade the cluster with pg_upgrade, or set CADREFLOW_DATABASE_URL"
            )
        }
        if let onPath {
            return onPath
        }
        for version in installed {
            if let newest = programs(in: ["\(debianRoot)/\(version)/bin"]) { return newest }
        }
        throw DatabaseSetupError(
            "PostgreSQL server programs (initdb, pg_ctl, postgres) not found on PATH or in \(debianRoot)/*/bin: "
                + "install them with 'apt-get install postgresql libpq-dev', or set CADREFLOW_DATABASE_URL"
        )
    }

    /// The major version in a cluster's `PG_VERSION` file (`15`; `9.6` before 10), or nil
    /// when the cluster has none yet.
    public static func clusterVersion(_ clusterDirectory: String) -> String? {
        guard let text = try? String(contentsOfFile: clusterDirectory + "/PG_VERSION", encoding: .utf8) else { return nil }
        let version = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return version.isEmpty ? nil : version
    }

    /// The major version in `postgres --version` output (`postgres (PostgreSQL) 15.4 (Debian
    /// 15.4-1)` gives `15`; `9.6.24` gives `9.6`), or nil.
    public static func majorVersion(fromVersionOutput output: String) -> String? {
        guard let marker = output.range(of: "(PostgreSQL) ") else { return nil }
        let number = output[marker.upperBound...].prefix { $0.isNumber || $0 == "." }
        let parts = number.split(separator: ".")
        guard let first = parts.first, let major = Int(first) else { return nil }
        if major >= 10 { return String(major) }
        return parts.count >= 2 ? "\(major).\(parts[1])" : nil
    }

    /// The three programs, each from the first folder that has it; nil unless all are found.
    private static func programs(in folders: [String]) -> PostgresInstallation? {
        func find(_ name: String) -> String? {
            folders.lazy.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        guard let initdb = find("initdb"), let pgCtl = find("pg_ctl"), let postgres = find("postgres") else { return nil }
        return PostgresInstallation(initdb: initdb, pgCtl: pgCtl, postgres: postgres)
    }

    /// The major version a `postgres` program reports, or nil when it cannot be run.
    private static func serverMajorVersion(_ postgres: String) -> String? {
        guard let outcome = try? ProcessRunner.run(postgres, ["--version"]), outcome.status == 0 else { return nil }
        return majorVersion(fromVersionOutput: outcome.output)
    }

    /// The Debian major versions installed under `root` (folders named by a number), newest first.
    private static func debianVersions(root: String) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }
            .sorted(by: >)
    }
}
