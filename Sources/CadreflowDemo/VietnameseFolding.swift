import Foundation

/// Vietnamese → ASCII folding for codes.
enum VietnameseFolding {
    /// `text` without diacritics: canonical decomposition, combining marks removed,
    /// đ/Đ mapped to d/D. "Hàng Bạc" → "Hang Bac", "Đống Đa" → "Dong Da".
    static func ascii(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F, 0x1DC0...0x1DFF, 0x20D0...0x20FF:
                continue
            case 0x0111:
                result.append("d")
            case 0x0110:
                result.append("D")
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// The ASCII letters and digits of `text`, upper-cased: "Cổ Nhuế 1" → "CONHUE1".
    static func codePart(_ text: String) -> String {
        var result = ""
        for scalar in ascii(text).unicodeScalars where scalar.isASCII {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A: result.unicodeScalars.append(scalar)
            case 0x61...0x7A: result.unicodeScalars.append(Unicode.Scalar(scalar.value - 0x20) ?? scalar)
            default: continue
            }
        }
        return result
    }

    /// Whether `code` matches `^[A-Za-z0-9_.-]{1,64}$`.
    static func isValidCode(_ code: String) -> Bool {
        let bytes = code.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
