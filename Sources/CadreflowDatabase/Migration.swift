import CadreflowMigrations
import Crypto
import Foundation

/// One numbered schema change: the file `NNN_name.sql` and the SHA-256 of its text.
public struct Migration: Sendable, Equatable {
    /// The number at the start of the file name.
    public var version: Int
    /// The file name, e.g. `001_organisation.sql`.
    public var name: String
    /// The SQL text, run as one transaction.
    public var sql: String
    /// The hex SHA-256 of the SQL text.
    public var checksum: String

    /// A migration from its file name and text; the name must be `NNN_words.sql`.
    public init(name: String, sql: String) throws {
        let stem = name.hasSuffix(".sql") ? String(name.dropLast(4)) : ""
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let version = Int(digits), stem.dropFirst(digits.count).first == "_" else {
            throw DatabaseSetupError("migration file \(name): the name must look like 001_what_it_does.sql")
        }
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Every `.sql` file in a folder, in version order; duplicate numbers are refused.
    public static func load(directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        } catch {
            throw DatabaseSetupError("cannot read the migrations folder \(directory.path): \(error.localizedDescription)")
        }
        let migrations = try names.map { name in
            let text: String
            do {
                text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            } catch {
                throw DatabaseSetupError("cannot read migration \(name): \(error.localizedDescription)")
            }
            return try Migration(name: name, sql: text)
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw DatabaseSetupError("migrations \(previous.name) and \(next.name) share the number \(next.version)")
        }
        return migrations
    }

    /// The migrations shipped inside this build (sql/migrations).
    public static func bundled() throws -> [Migration] {
        guard let directory = MigrationFiles.directory else {
            throw DatabaseSetupError("this build carries no migrations folder (the resource bundle is missing next to the executable)")
        }
        return try load(directory: directory)
    }
}
