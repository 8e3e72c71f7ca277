/// Helpers for libpq `key=value` connection strings.
public enum ConnectionString {
    /// Quotes a value for a `key=value` connection string (single quotes, backslash escapes).
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
