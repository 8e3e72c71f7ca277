import Foundation

/// The migrations shipped with this build: the `migrations` folder beside this file,
/// copied into the binary's resource bundle.
public enum MigrationFiles {
    /// The folder holding `NNN_name.sql` files, or nil when the resource bundle is missing.
    public static var directory: URL? {
        Bundle.module.url(forResource: "migrations", withExtension: nil)
    }
}
