import Foundation

/// Where the PostgreSQL server programs are: on PATH, or in the versioned folder where
/// Debian's `postgresql` package puts them (`/usr/lib/postgresql/15/bin`).
public struct PostgresInstallation: Sendable, Equatable {
    /// Path of `initdb`.
    public var initdb: String
    /// Path of `pg_ctl`.
    public var pgCtl: String
    /// Path of `postgres`.
    public var postgres: String

    /// Finds the programs, newest Debian version first after PATH; the error names the
    /// packages to install.
    public static func locate() throws -> PostgresInstallation {
        let folders = debianBinFolders()
        guard let initdb = ProcessRunner.locate("initdb", in: folders),
              let pgCtl = ProcessRunner.locate("pg_ctl", in: folders),
              let postgres = ProcessRunner.locate("postgres", in: folders) else {
            throw DatabaseSetupError(
                "PostgreSQL server programs (initdb, pg_ctl, postgres) not found on PATH or in /usr/lib/postgresql/*/bin: "
                    + "install them with 'apt-get install postgresql libpq-dev', or set CADREFLOW_DATABASE_URL"
            )
        }
        return PostgresInstallation(initdb: initdb, pgCtl: pgCtl, postgres: postgres)
    }

    private static func debianBinFolders() -> [String] {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions
            .compactMap { Int($0) }
            .sorted(by: >)
            .map { "\(root)/\($0)/bin" }
    }
}
