import Foundation

extension HanoiReference {
    /// The reference data shipped in this module's resources
    /// (`hanoi-districts-2024.csv` and `hanoi-units-2025.csv`).
    public static func bundled() throws -> HanoiReference {
        try HanoiReference(districtsCSV: resource(districtsFile), unitsCSV: resource(unitsFile))
    }

    private static func resource(_ file: String) throws -> String {
        let name = (file as NSString).deletingPathExtension
        let url = Bundle.module.url(forResource: name, withExtension: "csv")
            ?? Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Resources")
        guard let url else {
            throw DemoDataError(file: file, line: 0, message: "not found in the CadreflowDemo resource bundle")
        }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DemoDataError(file: file, line: 0, message: "cannot be read as UTF-8: \(error)")
        }
    }
}
