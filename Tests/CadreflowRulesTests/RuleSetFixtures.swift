import CadreflowRules
import Foundation
import Testing

/// A rule-set file with the mission's defaults, written compactly so that a test can change
/// one key by replacing its text, and the shipped files of config/rules.
enum RuleSetFixtures {
    /// QĐ 3814's numbers, monthly grading, from 2024-01.
    static let monthly = """
    {
      "name": "monthly", "from": "2024-01", "source": "QĐ 3814-QĐ/TU",
      "scores": {"decimals": 1, "parts": [
        {"key": "discipline", "min": 0, "max": 20},
        {"key": "duties", "min": 0, "max": 70},
        {"key": "bonus", "min": 0, "max": 10, "required": false}]},
      "grades": {"A": {"min": 90}, "B": {"min": 70, "below": 90}, "C": {"min": 50, "below": 70}, "D": {"min": 0, "below": 50}},
      "grading": {"periods": "monthly"},
      "quota": {"share": 0.3, "outstanding_share": 0.4, "group": "unit"},
      "year": {"score": "mean_of_months", "quota": {"share": 0.2, "of": "B", "group": "unit"}},
      "deadlines": {"self": 3, "review": 5, "approve": 7, "close": 8},
      "escalation": {"due_soon_days": 1, "late_after_days": 1, "seriously_late_after_days": 2}
    }
    """

    /// The monthly file with texts replaced (each must occur in it).
    static func text(_ replacements: [(String, String)] = [], base: String = monthly) throws -> String {
        var text = base
        for (old, new) in replacements {
            try #require(text.contains(old), "the fixture has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// The monthly file, changed, decoded as `monthly.json`.
    static func ruleSet(_ replacements: [(String, String)] = [], file: String = "monthly.json") throws -> RuleSet {
        try RuleSet.decode(Data(text(replacements).utf8), file: file)
    }

    /// The package's config/rules folder (this file is Tests/CadreflowRulesTests/…).
    static let shippedFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config").appendingPathComponent("rules").path

    /// The shipped rule sets.
    static func shipped() throws -> RuleSetCatalog {
        try RuleSetCatalog.load(folder: shippedFolder)
    }

    /// A period from its text.
    static func period(_ text: String) throws -> AssessmentPeriod {
        try AssessmentPeriod.parse(text)
    }
}
