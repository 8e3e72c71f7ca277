import Foundation

/// A person's sex as written in the import file (`m` or `f`).
public enum DemoSex: String, Sendable, CaseIterable {
    /// Male, written `m`.
    case male = "m"
    /// Female, written `f`.
    case female = "f"
}

/// Vietnamese personal names for a northern (Hanoi) population: family names in their
/// real proportions, and middle and given names by sex. All text is NFC.
public enum VietnameseNames {
    /// Family names with weights in parts per 10,000 (Nguyễn ≈ 38%, Trần ≈ 11%, Lê ≈ 9.5%…).
    /// Hoàng and Vũ are given most of the Hoàng/Huỳnh and Vũ/Võ shares, as in the north.
    static let familyNames = table([
        ("Nguyễn", 3800), ("Trần", 1100), ("Lê", 950), ("Phạm", 700),
        ("Hoàng", 470), ("Huỳnh", 30), ("Phan", 450), ("Vũ", 360), ("Võ", 30),
        ("Đặng", 210), ("Bùi", 200), ("Đỗ", 140), ("Hồ", 130), ("Ngô", 130),
        ("Dương", 100), ("Lý", 50),
        ("Đinh", 110), ("Đào", 90), ("Đoàn", 90), ("Trịnh", 90), ("Lương", 70),
        ("Hà", 60), ("Mai", 50), ("Cao", 50), ("Phùng", 50), ("Lưu", 45), ("Tạ", 45),
        ("Chu", 40), ("Kiều", 35), ("Lại", 35), ("Tô", 35), ("Nghiêm", 25), ("Khúc", 20),
        ("Triệu", 20), ("Vương", 20), ("Đàm", 20), ("Tống", 20), ("Quách", 15),
        ("Lâm", 15), ("Nông", 15), ("Thái", 10), ("Khuất", 15),
    ])

    /// Middle names for men, weighted (Văn is by far the most common among civil servants).
    static let maleMiddleNames = table([
        ("Văn", 3000), ("Đức", 900), ("Minh", 800), ("Quang", 600), ("Hữu", 500),
        ("Công", 450), ("Xuân", 400), ("Mạnh", 300), ("Thanh", 400), ("Tuấn", 200),
        ("Đình", 500), ("Ngọc", 300), ("Trọng", 300), ("Việt", 250), ("Anh", 200),
        ("Duy", 200), ("Tiến", 200), ("Thế", 250), ("Bá", 150), ("Khắc", 150),
        ("Hoàng", 200), ("Trung", 150), ("Hồng", 100), ("Kim", 50),
    ])

    /// Middle names for women, weighted (Thị first).
    static let femaleMiddleNames = table([
        ("Thị", 4500), ("Thu", 700), ("Ngọc", 600), ("Thanh", 500), ("Phương", 300),
        ("Minh", 300), ("Thúy", 250), ("Hồng", 350), ("Bích", 200), ("Thùy", 250),
        ("Kim", 250), ("Hải", 150), ("Diệu", 100), ("Khánh", 150), ("Mai", 150),
        ("Quỳnh", 100), ("Lan", 100), ("Hoài", 100), ("Hương", 100), ("Tuyết", 100),
    ])

    /// Given names for men.
    static let maleGivenNames = table([
        ("Hùng", 400), ("Dũng", 400), ("Tuấn", 450), ("Hải", 400), ("Long", 300),
        ("Nam", 350), ("Quân", 250), ("Sơn", 350), ("Thắng", 300), ("Trung", 300),
        ("Hiếu", 250), ("Cường", 300), ("Khánh", 200), ("Minh", 350), ("Đức", 300),
        ("Anh", 400), ("Hoàng", 200), ("Huy", 300), ("Phong", 200), ("Thành", 300),
        ("Tùng", 250), ("Việt", 200), ("Bình", 250), ("Hưng", 250), ("Kiên", 150),
        ("Tâm", 150), ("Thịnh", 150), ("Toàn", 200), ("Quang", 200), ("Vinh", 200),
        ("Đạt", 200), ("Lâm", 100), ("Phúc", 150), ("Hiển", 100), ("Tiến", 200),
        ("Nghĩa", 150), ("Chiến", 150), ("Hòa", 150), ("Thái", 100), ("Duy", 150),
        ("Khoa", 100), ("Thọ", 80), ("Lợi", 80), ("Hậu", 80), ("Tú", 100),
    ])

    /// Given names for women.
    static let femaleGivenNames = table([
        ("Lan", 350), ("Hương", 450), ("Hoa", 300), ("Mai", 300), ("Linh", 450),
        ("Trang", 450), ("Hằng", 350), ("Thảo", 350), ("Nga", 300), ("Huyền", 350),
        ("Yến", 250), ("Phương", 300), ("Hà", 350), ("Hạnh", 250), ("Hiền", 250),
        ("Hồng", 200), ("Loan", 200), ("Ngọc", 200), ("Nhung", 200), ("Oanh", 150),
        ("Quỳnh", 200), ("Thủy", 300), ("Thúy", 200), ("Vân", 250), ("Anh", 300),
        ("Dung", 250), ("Giang", 200), ("Huệ", 150), ("Liên", 150), ("Ly", 150),
        ("My", 100), ("Nhàn", 100), ("Tâm", 150), ("Thu", 200), ("Chi", 150),
        ("Duyên", 150), ("Tuyết", 100), ("Hậu", 100), ("Lụa", 50),
    ])

    private static func table(_ pairs: [(String, Int)]) -> WeightedTable<String> {
        WeightedTable(pairs.map { ($0.0.precomposedStringWithCanonicalMapping, $0.1) })
    }

    /// A full name, family name first (e.g. "Nguyễn Văn Hùng"), drawn for `sex` from
    /// `generator`. The middle and given names are never the same word.
    public static func fullName(for sex: DemoSex, using generator: inout some RandomNumberGenerator) -> String {
        let middles = sex == .male ? maleMiddleNames : femaleMiddleNames
        let givens = sex == .male ? maleGivenNames : femaleGivenNames
        let family = familyNames.pick(using: &generator) ?? "Nguyễn"
        let middle = middles.pick(using: &generator) ?? (sex == .male ? "Văn" : "Thị")
        var given = givens.pick(using: &generator) ?? "Minh"
        var attempts = 0
        while given == middle || given == family, attempts < 8 {
            given = givens.pick(using: &generator) ?? "Minh"
            attempts += 1
        }
        return family + " " + middle + " " + given
    }

    /// The family name of a full name: its first word.
    public static func familyName(of fullName: String) -> String {
        String(fullName.prefix { $0 != " " })
    }
}
