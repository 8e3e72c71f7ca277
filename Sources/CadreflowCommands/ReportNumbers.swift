import CadreflowRules

/// Counts and shares as the reports print them: `22,824` and `16.6%` in English, `22.824`
/// and `16,6%` with `locale=vi` (Vietnamese groups thousands with `.` and writes the
/// decimal comma, as the board's own reports do).
enum ReportNumbers {
    /// The report's locale: `en` (the default) or `vi`.
    enum Locale: String {
        case en, vi
    }

    static func locale(_ text: String?) throws(DomainError) -> Locale {
        guard let text else { return .en }
        guard let locale = Locale(rawValue: text.lowercased()) else { throw DomainError.invalid("locale", "\(text) is not en or vi") }
        return locale
    }

    /// A whole number with thousands grouped.
    static func count(_ value: Int, _ locale: Locale) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(locale == .vi ? "." : ",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A share in tenths of a percent with one decimal (`16.6%`, `16,6%`); empty for none.
    static func percent(tenths: Int?, _ locale: Locale) -> String {
        guard let tenths else { return "" }
        return "\(tenths / 10)\(locale == .vi ? "," : ".")\(tenths % 10)%"
    }

    /// A share in hundredths of a percent with two decimals (`68.39%`, `68,39%`); empty for none.
    static func percent(hundredths: Int?, _ locale: Locale) -> String {
        guard let hundredths else { return "" }
        let fraction = hundredths % 100
        return "\(hundredths / 100)\(locale == .vi ? "," : ".")\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// `part` of `whole` in `unit`ths (10: tenths of a percent, 100: hundredths), rounded half up; nil of nothing.
    static func share(_ part: Int, of whole: Int, per unit: Int) -> Int? {
        whole == 0 ? nil : (part * 100 * unit * 2 + whole) / (whole * 2)
    }
}
