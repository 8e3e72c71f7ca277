import CadreflowCommands
import CadreflowDemo
import CadreflowDefinitions
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import CadreflowServer
import Foundation
import Logging

/// Loads a demo city through the domain's services: the organisation import (units,
/// cadres, the reform's lineage events, all or nothing) and the account store.
struct DemoLoader {
    let connectionString: String
    let timeZone: TimeZone
    let logger: Logger

    /// The demo could not be loaded; nothing was.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    func load(_ plan: DemoCityPlan, passwordsFile: String, allowExisting: Bool) async throws -> String {
        if FileManager.default.fileExists(atPath: passwordsFile) {
            throw Refusal(description: "\(passwordsFile) exists already; name another file with --passwords")
        }
        let pool = PostgresPool(configuration: .init(connectionString: connectionString, size: 3), logger: logger)
        defer { pool.close() }
        let units = try await pool.withConnection { try $0.query("SELECT count(*) FROM units").scalar(Int.self) ?? 0 }
        if units > 0, !allowExisting {
            throw Refusal(description: "the database holds \(units) units already; run with --add to add the demo city to them")
        }
        let catalog = try await pool.withConnection { try WorkflowCatalog.register([], connection: $0) }
        let engine = WorkflowEngine(catalog: catalog, hooks: WorkflowHooks(), pool: pool, connectionString: connectionString, options: .init(timeZone: timeZone), logger: logger)
        defer { engine.close() }
        let domain = Domain(pool: pool, engine: engine, calendar: Domain.calendar(timeZone: timeZone), rules: try RuleSetCatalog.load(folder: DefinitionFiles.rulesFolder(configured: "")))
        let file = try Self.importFile(plan.importLines)
        let loader = Requester(login: "demo", role: .admin, scope: .everything)
        let organisation = domain.organisation
        // The passwords are written (mode 600) before any account exists, so none is ever unknown.
        let accounts = plan.accounts.map { ($0, Self.randomPassword()) }
        try Self.writePasswords(accounts, to: passwordsFile)
        do {
            let summary = try await pool.withTransaction { connection in try organisation.importFile(file, by: loader, on: connection) }
            try await createAccounts(accounts, pool: pool)
            return "\(summary.description); \(accounts.count) accounts"
        } catch {
            try? FileManager.default.removeItem(atPath: passwordsFile)
            throw error
        }
    }

    /// The plan's CSV lines as a checked import file, split as an upload's are.
    static func importFile(_ lines: [String]) throws -> OrgImportFile {
        let (header, records) = try UploadRecords.split(lines)
        return try OrgImportFile(header: header, records: records)
    }

    /// Creates the accounts, two at a time (hashing is slow on purpose: one per core).
    private func createAccounts(_ accounts: [(DemoAccount, String)], pool: PostgresPool) async throws {
        let store = AccountStore(pool: pool, lockout: .init(failures: 5, seconds: 900))
        for start in stride(from: 0, to: accounts.count, by: 2) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (account, password) in accounts[start..<min(start + 2, accounts.count)] {
                    group.addTask {
                        try await store.create(
                            login: account.login, role: Role(rawValue: account.role) ?? .viewer, password: password,
                            unit: account.unit, isHead: account.isHead, cadre: nil
                        )
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    private static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    private static func writePasswords(_ accounts: [(DemoAccount, String)], to path: String) throws {
        let text = "login\trole\tunit\thead\tpassword\n" + accounts.map { account, password in
            "\(account.login)\t\(account.role)\t\(account.unit)\t\(account.isHead ? "yes" : "no")\t\(password)\n"
        }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Refusal(description: "cannot write \(path)")
        }
    }
}
