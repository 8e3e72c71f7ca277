/// How many terminal columns text takes: one per user-perceived character (so a letter
/// with combining marks, as in decomposed "Nguyễn", is one column), two for East Asian
/// wide and full-width characters and emoji, none for zero-width characters.
public enum DisplayWidth {
    /// The columns `text` takes.
    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The columns one character takes.
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        if zeroWidth.contains(where: { $0.contains(value) }) { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark { return 0 }
        return wide.contains(where: { $0.contains(value) }) ? 2 : 1
    }

    private static let zeroWidth: [ClosedRange<UInt32>] = [0x200B...0x200F, 0x2060...0x2064, 0xFEFF...0xFEFF]

    /// East Asian Wide (W) and Fullwidth (F) blocks, and emoji shown wide.
    private static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
