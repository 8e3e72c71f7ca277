import Foundation

/// Every rule set the service knows, oldest first, and the one in force for a period: the
/// latest whose first month is not after the period's last month. So a month, a quarter or
/// a year is judged by the rules in force when it ends (when it is evaluated), and keeps
/// them when a newer rule set is added for a later period. A quarterly rule set starts at
/// a quarter (its file is refused otherwise), so a graded quarter never straddles two.
public struct RuleSetCatalog: Sendable, Equatable {
    /// The rule sets, ordered by their first month.
    public let ruleSets: [RuleSet]

    /// Reads and validates the files (`name` is the file's name, for the errors), then
    /// checks them together: no two with the same name or the same first month, and at
    /// least one. The first fault is thrown, naming the file and the key.
    public init(files: [(name: String, data: Data)]) throws(DomainError) {
        var ruleSets: [RuleSet] = []
        for file in files.sorted(by: { $0.name < $1.name }) {
            ruleSets.append(try RuleSet.decode(file.data, file: file.name))
        }
        try self.init(ruleSets: ruleSets)
    }

    /// Checks decoded rule sets together (see ``init(files:)``).
    public init(ruleSets: [RuleSet]) throws(DomainError) {
        guard !ruleSets.isEmpty else { throw DomainError(.invalid, "no rule-set files", field: "rules") }
        var seen: [RuleSet] = []
        for ruleSet in ruleSets {
            if let other = seen.first(where: { $0.name == ruleSet.name }) {
                throw DomainError.invalid("name", "\(ruleSet.name) is also the name of \(other.file)").inFile(ruleSet.file)
            }
            if let other = seen.first(where: { $0.from == ruleSet.from }) {
                throw DomainError.invalid("from", "\(ruleSet.from) is also the first month of \(other.file)").inFile(ruleSet.file)
            }
            seen.append(ruleSet)
        }
        self.ruleSets = seen.sorted(by: { $0.from < $1.from })
    }

    /// Reads every `*.json` file of a folder (`config/rules`).
    public static func load(folder: String) throws(DomainError) -> RuleSetCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        } catch {
            throw DomainError(.invalid, "cannot list the folder", field: folder)
        }
        var files: [(name: String, data: Data)] = []
        for name in names {
            do {
                files.append((name: name, data: try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))))
            } catch {
                throw DomainError(.invalid, "cannot be read", field: name)
            }
        }
        return try RuleSetCatalog(files: files)
    }

    /// The rule set in force for `period`: the latest whose first month is not after the
    /// period's last month.
    /// - Throws: `not_found` for a period that ends before every rule set.
    public func ruleSet(for period: AssessmentPeriod) throws(DomainError) -> RuleSet {
        guard let ruleSet = ruleSets.last(where: { $0.from <= period.lastMonth }) else {
            let earliest = ruleSets.first.map { " (the earliest, \($0.name), applies from \($0.from))" } ?? ""
            throw DomainError(.notFound, "no rule set applies to \(period)\(earliest)", field: "period")
        }
        return ruleSet
    }

    /// The rule set of a name, or nil.
    public func ruleSet(named name: String) -> RuleSet? {
        ruleSets.first(where: { $0.name == name })
    }
}
