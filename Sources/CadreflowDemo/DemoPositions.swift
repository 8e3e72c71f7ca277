/// The `level` column of a cadre row.
enum PostLevel: String, Sendable {
    case head
    case deputy
    case staff
}

/// A post a cadre can hold, with optional constraints on who holds it.
struct DemoPost: Sendable {
    let title: String
    let level: PostLevel
    /// The holder's sex when the post implies it (e.g. the women's union chair).
    let sex: DemoSex?
    /// The holder's birth years when the post implies them (e.g. the youth union secretary).
    let bornYears: ClosedRange<Int>?

    init(_ title: String, _ level: PostLevel, sex: DemoSex? = nil, bornYears: ClosedRange<Int>? = nil) {
        self.title = title
        self.level = level
        self.sex = sex
        self.bornYears = bornYears
    }
}

/// Which staff titles a unit uses after its named posts are filled.
enum StaffStyle: Sendable {
    /// Commune-level civil servants (công chức cấp xã).
    case commune
    /// Offices of districts, city boards and departments.
    case office
}

/// The posts of each kind of unit, in the order they are filled.
enum DemoPositions {
    /// Leadership and single posts of an old commune-level unit of `kind`
    /// (phường / xã / thị trấn) with `viceChairs` Phó Chủ tịch UBND.
    static func commune(kind: String, viceChairs: Int) -> [DemoPost] {
        var posts = [
            DemoPost("Bí thư Đảng ủy \(kind)", .head),
            DemoPost("Chủ tịch UBND \(kind)", .head),
            DemoPost("Phó Bí thư Thường trực Đảng ủy \(kind)", .deputy),
        ]
        for _ in 0..<max(1, viceChairs) { posts.append(DemoPost("Phó Chủ tịch UBND \(kind)", .deputy)) }
        posts += [
            DemoPost("Chủ tịch Ủy ban MTTQ \(kind)", .staff),
            DemoPost("Chỉ huy trưởng Ban Chỉ huy Quân sự \(kind)", .staff, sex: .male, bornYears: 1970...1990),
            DemoPost("Chủ tịch Hội Liên hiệp Phụ nữ", .staff, sex: .female),
            DemoPost("Bí thư Đoàn Thanh niên", .staff, bornYears: 1990...2000),
            DemoPost("Chủ tịch Hội Cựu chiến binh", .staff, sex: .male, bornYears: 1966...1972),
        ]
        if kind != "phường" { posts.append(DemoPost("Chủ tịch Hội Nông dân", .staff)) }
        return posts
    }

    /// The committee word of a district's party committee: Quận ủy, Huyện ủy or Thị ủy.
    static func districtCommittee(kind: String) -> String {
        switch kind {
        case "quận": return "Quận ủy"
        case "thị xã": return "Thị ủy"
        default: return "Huyện ủy"
        }
    }

    /// Leadership posts of a district of `kind` (quận / huyện / thị xã).
    static func district(kind: String, viceChairs: Int) -> [DemoPost] {
        let committee = districtCommittee(kind: kind)
        var posts = [
            DemoPost("Bí thư \(committee)", .head),
            DemoPost("Chủ tịch UBND \(kind)", .head),
            DemoPost("Phó Bí thư Thường trực \(committee)", .deputy),
        ]
        for _ in 0..<max(1, viceChairs) { posts.append(DemoPost("Phó Chủ tịch UBND \(kind)", .deputy)) }
        return posts
    }

    /// A head post followed by `deputies` deputy posts.
    static func leadership(head: String, deputy: String, deputies: Int) -> [DemoPost] {
        [DemoPost(head, .head)] + Array(repeating: DemoPost(deputy, .deputy), count: deputies)
    }

    /// Staff titles of a commune-level unit, weighted.
    static let communeStaff = WeightedTable([
        (DemoPost("Công chức Văn phòng - Thống kê", .staff), 16),
        (DemoPost("Công chức Tài chính - Kế toán", .staff), 12),
        (DemoPost("Công chức Tư pháp - Hộ tịch", .staff), 12),
        (DemoPost("Công chức Địa chính - Xây dựng", .staff), 16),
        (DemoPost("Công chức Văn hóa - Xã hội", .staff), 16),
        (DemoPost("Chuyên viên", .staff), 12),
        (DemoPost("Cán sự", .staff), 8),
        (DemoPost("Văn thư", .staff), 5),
        (DemoPost("Thủ quỹ", .staff), 3),
    ])

    /// Staff titles of an office (district, board, department), weighted.
    static let officeStaff = WeightedTable([
        (DemoPost("Trưởng phòng", .staff, bornYears: 1966...1987), 7),
        (DemoPost("Phó Trưởng phòng", .staff, bornYears: 1968...1991), 12),
        (DemoPost("Chuyên viên chính", .staff), 20),
        (DemoPost("Chuyên viên", .staff), 42),
        (DemoPost("Cán sự", .staff), 10),
        (DemoPost("Văn thư", .staff), 5),
        (DemoPost("Kế toán", .staff), 4),
    ])

    /// A staff post drawn for a unit of `style`.
    static func staff(_ style: StaffStyle, using generator: inout some RandomNumberGenerator) -> DemoPost {
        let table = style == .commune ? communeStaff : officeStaff
        return table.pick(using: &generator) ?? DemoPost("Chuyên viên", .staff)
    }
}
