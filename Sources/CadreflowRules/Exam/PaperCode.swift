/// An anonymous paper code ("số phách"): ten characters of Crockford's base-32 alphabet
/// (no I, L, O, U) in two groups, `K7QM3-XD9PA`: 50 random bits, drawn from the system's
/// cryptographic generator by the caller, so that a code says nothing about its candidate.
public enum PaperCode {
    /// The alphabet.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new code from `generator`.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        var characters: [Character] = []
        for index in 0..<10 {
            if index == 5 { characters.append("-") }
            characters.append(alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))])
        }
        return String(characters)
    }

    /// Whether a text has the shape of a code (upper case; the import upper-cases first).
    public static func isWellFormed(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 11, characters[5] == "-" else { return false }
        return characters.enumerated().allSatisfy { $0.offset == 5 || alphabet.contains($0.element) }
    }
}
