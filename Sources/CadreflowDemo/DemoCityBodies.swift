/// The city-level bodies of the demo: the root, the Thành ủy and its boards, the UBND and
/// its departments, and the Fatherland Front. They are open throughout (no valid_from).
enum DemoCityBodies {
    /// The root unit's code.
    static let root = "HN"

    private struct Body {
        let suffix: String
        let name: String
        let kind: String
        let weight: Double
        let posts: [DemoPost]
        var children: [Body] = []
    }

    private static func board(_ suffix: String, _ name: String, head: String = "Trưởng ban",
                              deputy: String = "Phó Trưởng ban", deputies: Int = 3, weight: Double = 1,
                              kind: String = "board") -> Body {
        Body(suffix: suffix, name: name, kind: kind, weight: weight,
             posts: DemoPositions.leadership(head: head, deputy: deputy, deputies: deputies))
    }

    private static func department(_ suffix: String, _ name: String, head: String = "Giám đốc Sở",
                                   deputy: String = "Phó Giám đốc Sở", deputies: Int = 3, weight: Double = 1) -> Body {
        Body(suffix: suffix, name: name, kind: "department", weight: weight,
             posts: DemoPositions.leadership(head: head, deputy: deputy, deputies: deputies))
    }

    private static let bodies: [Body] = [
        Body(suffix: "TU", name: "Thành ủy Hà Nội", kind: "party_committee", weight: 0.3,
             posts: [DemoPost("Bí thư Thành ủy", .head),
                     DemoPost("Phó Bí thư Thường trực Thành ủy", .deputy),
                     DemoPost("Phó Bí thư Thành ủy", .deputy)],
             children: [
                board("BTC", "Ban Tổ chức Thành ủy"),
                board("BTG", "Ban Tuyên giáo và Dân vận Thành ủy", deputies: 4, weight: 1.2),
                board("UBKT", "Ủy ban Kiểm tra Thành ủy", head: "Chủ nhiệm Ủy ban Kiểm tra",
                      deputy: "Phó Chủ nhiệm Ủy ban Kiểm tra"),
                board("VP", "Văn phòng Thành ủy", head: "Chánh Văn phòng", deputy: "Phó Chánh Văn phòng",
                      weight: 1.4),
                board("BNC", "Ban Nội chính Thành ủy", deputies: 2, weight: 0.7),
                board("DUCQD", "Đảng ủy các cơ quan Đảng thành phố", head: "Bí thư Đảng ủy",
                      deputy: "Phó Bí thư Đảng ủy", deputies: 2, weight: 0.5, kind: "party_committee"),
             ]),
        Body(suffix: "UB", name: "Ủy ban nhân dân thành phố Hà Nội", kind: "people_committee", weight: 0.3,
             posts: DemoPositions.leadership(head: "Chủ tịch UBND thành phố",
                                             deputy: "Phó Chủ tịch UBND thành phố", deputies: 5),
             children: [
                department("SNV", "Sở Nội vụ", weight: 1.2),
                department("STC", "Sở Tài chính", deputies: 4, weight: 1.3),
                department("SXD", "Sở Xây dựng", deputies: 4, weight: 1.2),
                department("SGDDT", "Sở Giáo dục và Đào tạo", weight: 1.3),
                department("SYT", "Sở Y tế", weight: 1.1),
                department("SVHTT", "Sở Văn hóa và Thể thao"),
                department("SNNMT", "Sở Nông nghiệp và Môi trường", deputies: 4, weight: 1.4),
                department("SCT", "Sở Công Thương"),
                department("SKHCN", "Sở Khoa học và Công nghệ", weight: 0.8),
                department("STP", "Sở Tư pháp", weight: 0.8),
                department("SQHKT", "Sở Quy hoạch - Kiến trúc", weight: 0.8),
                department("VP", "Văn phòng UBND thành phố", head: "Chánh Văn phòng",
                           deputy: "Phó Chánh Văn phòng", deputies: 4, weight: 1.2),
                department("TTR", "Thanh tra thành phố", head: "Chánh Thanh tra",
                           deputy: "Phó Chánh Thanh tra", weight: 0.9),
             ]),
        Body(suffix: "MTTQ", name: "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Hà Nội", kind: "front", weight: 0.6,
             posts: DemoPositions.leadership(head: "Chủ tịch Ủy ban MTTQ Việt Nam thành phố",
                                             deputy: "Phó Chủ tịch Ủy ban MTTQ Việt Nam thành phố", deputies: 4)),
    ]

    /// The root followed by every body, each directly followed by its children.
    static func units() -> [DemoUnit] {
        var units = [DemoUnit(code: root, name: "Thành phố Hà Nội", parent: "", kind: "city", locality: root,
                              validFrom: "", isOpen: true, group: nil, weight: 0, posts: [],
                              staffStyle: .office, districtIndex: nil)]
        func add(_ body: Body, parent: String) {
            let code = parent + "." + body.suffix
            units.append(DemoUnit(code: code, name: body.name, parent: parent, kind: body.kind, locality: root,
                                  validFrom: "", isOpen: true, group: .city, weight: body.weight,
                                  posts: body.posts, staffStyle: .office, districtIndex: nil))
            for child in body.children { add(child, parent: code) }
        }
        for body in bodies { add(body, parent: root) }
        return units
    }
}
