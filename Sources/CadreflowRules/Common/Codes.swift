/// The rule for codes of units, cadres and other records: 1 to 64 ASCII letters, digits,
/// `_`, `.` and `-` (the database checks the same pattern). `_` is a literal character
/// of a code, never a wildcard: scope matching treats codes literally (``UnitScope``).
public enum RecordCode {
    /// The longest code.
    public static let maximumLength = 64

    /// True when `code` follows the rule.
    public static func isValid(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.count <= maximumLength
            && code.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSets.alphanumeric($0) || "_.-".unicodeScalars.contains($0)) }
    }

    /// `code` itself, or `DomainError.invalid` naming the field.
    @discardableResult
    public static func validate(_ code: String?, field: String) throws(DomainError) -> String {
        guard let code, !code.isEmpty else { throw DomainError.invalid(field, "required") }
        guard isValid(code) else { throw DomainError.invalid(field, "\(code) is not a code: use 1 to 64 letters, digits, _ . -") }
        return code
    }

    private enum CharacterSets {
        static func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
    }
}
