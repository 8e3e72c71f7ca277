/// `yes` / `no` fields: the one parser of them.
public enum YesNo {
    /// `yes` → true, `no` → false, nil or empty → `default`; anything else names the field.
    public static func parse(_ text: String?, field: String, default value: Bool = false) throws(DomainError) -> Bool {
        guard let text, !text.isEmpty else { return value }
        switch text.lowercased() {
        case "yes": return true
        case "no": return false
        default: throw DomainError.invalid(field, "yes or no, not \(text)")
        }
    }

    /// The text form of a flag.
    public static func text(_ value: Bool) -> String { value ? "yes" : "no" }
}
