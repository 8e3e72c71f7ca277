import CadreflowProtocol
import CadreflowRules
import CadreflowServer

extension Request {
    /// The month (`YYYY-MM`) at word `index`; the error names the field.
    func month(at index: Int) throws -> AssessmentPeriod {
        try AssessmentPeriod.parseMonth(try word(index, "month"))
    }

    /// The cadre code at word `index`, checked as a code.
    func cadre(at index: Int) throws -> String {
        try RecordCode.validate(try word(index, "cadre"), field: "cadre")
    }
}
