/// Raw field texts by name (request options, an import row's columns), read the one way:
/// trimmed of spaces and tabs, empty as absent.
public enum FieldText {
    /// The trimmed text of field `name`, or nil when it is absent or empty.
    public static func value(_ raw: (String) -> String?, _ name: String) -> String? {
        guard let text = raw(name)?.trimmingSpaces, !text.isEmpty else { return nil }
        return text
    }
}
