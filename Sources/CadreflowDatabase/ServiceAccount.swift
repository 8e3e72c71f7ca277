import Foundation

/// The unprivileged system account the embedded cluster runs as when the service runs
/// as root (PostgreSQL refuses to run as root).
struct ServiceAccount: Sendable {
    var name: String
    var uid: uid_t
    var gid: gid_t

    /// nil when not root (the cluster runs as the current user); otherwise `postgres`
    /// (created by Debian's package) or `cadreflow-pg`, created on first use.
    static func forEmbeddedCluster() throws -> ServiceAccount? {
        guard getuid() == 0 else { return nil }
        if let account = lookup("postgres") { return account }
        if let account = lookup("cadreflow-pg") { return account }
        guard let useradd = ProcessRunner.locate("useradd", in: ["/usr/sbin", "/sbin"]) else {
            throw DatabaseSetupError("running as root needs an unprivileged account for PostgreSQL: create 'postgres' or install useradd")
        }
        let outcome = try ProcessRunner.run(useradd, ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "cadreflow-pg"])
        guard outcome.status == 0, let account = lookup("cadreflow-pg") else {
            throw DatabaseSetupError("cannot create the system account cadreflow-pg for PostgreSQL: \(outcome.tail)")
        }
        return account
    }

    private static func lookup(_ name: String) -> ServiceAccount? {
        guard let entry = getpwnam(name) else { return nil }
        return ServiceAccount(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Hands a file or folder to this account.
    func takeOwnership(of path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw DatabaseSetupError("cannot give \(path) to the account \(name): \(String(cString: strerror(errno)))")
        }
    }
}
