import Foundation

/// Hanoi's administrative units before and after the reorganisation of 1 July 2025
/// (Nghị quyết 1656/NQ-UBTVQH15): 30 districts, the 526 old commune-level units and the
/// 126 new units with their predecessors, parsed from the two reference CSV files.
public struct HanoiReference: Sendable, Equatable {
    /// A district-level unit that existed until 30 June 2025.
    public struct District: Sendable, Equatable {
        /// The file's ASCII code, e.g. `HOANKIEM`.
        public let code: String
        /// The name with diacritics, e.g. `Hoàn Kiếm`.
        public let name: String
        /// `quận`, `huyện` or `thị xã`.
        public let kind: String
    }

    /// A commune-level unit that existed until 30 June 2025.
    public struct OldUnit: Sendable, Equatable {
        /// `<DISTRICT>.<ASCII NAME>`, e.g. `HOANKIEM.HANGBAC` (with `.2`… on a collision).
        public let code: String
        /// The name with diacritics, e.g. `Hàng Bạc`.
        public let name: String
        /// `phường`, `xã` or `thị trấn`.
        public let kind: String
        /// The code of its old district.
        public let districtCode: String
    }

    /// A commune-level unit formed on 1 July 2025.
    public struct NewUnit: Sendable, Equatable {
        /// The file's code, e.g. `P_HOANKIEM`.
        public let code: String
        /// The name with diacritics.
        public let name: String
        /// `phường` or `xã`.
        public let kind: String
        /// The codes of the old units that contributed to it, in file order.
        public let predecessors: [String]
    }

    /// The 30 districts, in file order.
    public let districts: [District]
    /// The old commune-level units, grouped by district (in district order) and, within a
    /// district, in order of first appearance in the units file.
    public let oldUnits: [OldUnit]
    /// The new units, in file order.
    public let newUnits: [NewUnit]

    /// The number of (old unit → new unit) links: the sum of all predecessor lists.
    public var linkCount: Int {
        newUnits.reduce(0) { $0 + $1.predecessors.count }
    }

    static let districtsFile = "hanoi-districts-2024.csv"
    static let unitsFile = "hanoi-units-2025.csv"
    static let districtKinds: Set<String> = ["quận", "huyện", "thị xã"]
    static let oldKinds = ["thị trấn", "phường", "xã"]
    static let newKinds: Set<String> = ["phường", "xã"]

    /// Parses the text of `hanoi-districts-2024.csv` (`code,name,kind`) and of
    /// `hanoi-units-2025.csv` (`code,name,kind,formed_from,source`).
    /// Throws a ``DemoDataError`` naming the file and line of the first malformed record.
    public init(districtsCSV: String, unitsCSV: String) throws {
        let districts = try Self.parseDistricts(districtsCSV)
        let (oldUnits, newUnits) = try Self.parseUnits(unitsCSV, districts: districts)
        self.districts = districts
        self.oldUnits = oldUnits
        self.newUnits = newUnits
    }

    private static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
    }

    private static func records(_ text: String, file: String, header: [String]) throws -> [DemoCSV.Record] {
        let records = try DemoCSV.parse(text, file: file)
        guard let first = records.first else {
            throw DemoDataError(file: file, line: 1, message: "the file is empty")
        }
        guard first.fields == header else {
            throw DemoDataError(file: file, line: first.line,
                                message: "expected the header \(header.joined(separator: ",")), found \(first.fields.joined(separator: ","))")
        }
        for record in records.dropFirst() where record.fields.count != header.count {
            throw DemoDataError(file: file, line: record.line,
                                message: "expected \(header.count) fields, found \(record.fields.count)")
        }
        return Array(records.dropFirst())
    }

    private static func parseDistricts(_ text: String) throws -> [District] {
        let file = districtsFile
        var districts: [District] = []
        var seen: Set<String> = []
        for record in try records(text, file: file, header: ["code", "name", "kind"]) {
            let code = nfc(record.fields[0])
            let name = nfc(record.fields[1])
            let kind = nfc(record.fields[2])
            guard VietnameseFolding.isValidCode(code) else {
                throw DemoDataError(file: file, line: record.line, message: "invalid district code \"\(code)\"")
            }
            guard !name.isEmpty else {
                throw DemoDataError(file: file, line: record.line, message: "district \(code) has no name")
            }
            guard districtKinds.contains(kind) else {
                throw DemoDataError(file: file, line: record.line, message: "unknown district kind \"\(kind)\"")
            }
            guard seen.insert(code).inserted, !districts.contains(where: { $0.name == name }) else {
                throw DemoDataError(file: file, line: record.line, message: "duplicate district \(code) \(name)")
            }
            districts.append(District(code: code, name: name, kind: kind))
        }
        guard !districts.isEmpty else {
            throw DemoDataError(file: file, line: 2, message: "no districts")
        }
        return districts
    }

    /// One `formed_from` item: `kind name (old district name)`.
    private struct Item: Hashable {
        let kind: String
        let name: String
        let districtCode: String
    }

    private static func parseItem(_ raw: String, districtCodes: [String: String], line: Int) throws -> Item {
        let file = unitsFile
        let text = nfc(raw)
        guard text.hasSuffix(")"), let open = text.range(of: " (", options: .backwards) else {
            throw DemoDataError(file: file, line: line, message: "formed_from item \"\(text)\" is not \"kind name (district)\"")
        }
        let districtName = String(text[open.upperBound..<text.index(before: text.endIndex)])
        let head = String(text[..<open.lowerBound])
        guard let kind = oldKinds.first(where: { head.hasPrefix($0 + " ") }) else {
            throw DemoDataError(file: file, line: line, message: "formed_from item \"\(text)\" has no kind phường, xã or thị trấn")
        }
        let name = nfc(String(head.dropFirst(kind.count + 1)))
        guard !name.isEmpty else {
            throw DemoDataError(file: file, line: line, message: "formed_from item \"\(text)\" has no name")
        }
        guard let districtCode = districtCodes[districtName] else {
            throw DemoDataError(file: file, line: line, message: "formed_from item \"\(text)\" names an unknown district \"\(districtName)\"")
        }
        return Item(kind: kind, name: name, districtCode: districtCode)
    }

    private static func parseUnits(_ text: String, districts: [District]) throws -> ([OldUnit], [NewUnit]) {
        let file = unitsFile
        var districtCodes: [String: String] = [:]
        for district in districts { districtCodes[district.name] = district.code }

        struct PendingNew {
            let code: String
            let name: String
            let kind: String
            let items: [Item]
        }
        var pending: [PendingNew] = []
        var firstSeen: [Item] = []
        var known: Set<Item> = []
        var newCodes: Set<String> = []
        for record in try records(text, file: file, header: ["code", "name", "kind", "formed_from", "source"]) {
            let code = nfc(record.fields[0])
            let name = nfc(record.fields[1])
            let kind = nfc(record.fields[2])
            guard VietnameseFolding.isValidCode(code) else {
                throw DemoDataError(file: file, line: record.line, message: "invalid unit code \"\(code)\"")
            }
            guard newCodes.insert(code).inserted else {
                throw DemoDataError(file: file, line: record.line, message: "duplicate unit code \(code)")
            }
            guard !name.isEmpty else {
                throw DemoDataError(file: file, line: record.line, message: "unit \(code) has no name")
            }
            guard newKinds.contains(kind) else {
                throw DemoDataError(file: file, line: record.line, message: "unknown unit kind \"\(kind)\" (expected phường or xã)")
            }
            var items: [Item] = []
            for raw in record.fields[3].split(separator: ";", omittingEmptySubsequences: false) {
                let item = try parseItem(String(raw), districtCodes: districtCodes, line: record.line)
                guard !items.contains(item) else {
                    throw DemoDataError(file: file, line: record.line, message: "\(code) lists \(item.kind) \(item.name) twice")
                }
                items.append(item)
                if known.insert(item).inserted { firstSeen.append(item) }
            }
            guard !items.isEmpty else {
                throw DemoDataError(file: file, line: record.line, message: "unit \(code) has no predecessors")
            }
            pending.append(PendingNew(code: code, name: name, kind: kind, items: items))
        }
        guard !pending.isEmpty else {
            throw DemoDataError(file: file, line: 2, message: "no units")
        }

        // Old units grouped by district, in first-appearance order within a district.
        var byDistrict: [String: [Item]] = [:]
        for item in firstSeen { byDistrict[item.districtCode, default: []].append(item) }
        var oldUnits: [OldUnit] = []
        var codeOf: [Item: String] = [:]
        var usedCodes = newCodes.union(districts.map(\.code))
        for district in districts {
            for item in byDistrict[district.code] ?? [] {
                let base = String((district.code + "." + VietnameseFolding.codePart(item.name)).prefix(60))
                var code = base
                var suffix = 2
                while !usedCodes.insert(code).inserted {
                    code = "\(base).\(suffix)"
                    suffix += 1
                }
                codeOf[item] = code
                oldUnits.append(OldUnit(code: code, name: item.name, kind: item.kind, districtCode: district.code))
            }
        }
        let newUnits = pending.map { unit in
            NewUnit(code: unit.code, name: unit.name, kind: unit.kind,
                    predecessors: unit.items.compactMap { codeOf[$0] })
        }
        return (oldUnits, newUnits)
    }
}
