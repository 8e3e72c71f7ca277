import Foundation

/// Reads `config/schedules.json`: a list of schedules, strictly checked.
///
/// ```json
/// [{"name": "open-monthly-cycle", "action": "open_monthly_cycle",
///   "every": "month", "day": 1, "time": "00:05", "missed": "fire_once"}]
/// ```
public enum ScheduleLoader {
    /// Parses the file; errors name the file and the key.
    public static func load(file: String) throws -> [ScheduleDefinition] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DefinitionError(file: file, key: "(file)", message: "cannot read the file")
        }
        return try parse(data, file: file)
    }

    /// Parses JSON bytes.
    public static func parse(_ data: Data, file: String) throws -> [ScheduleDefinition] {
        func fail(_ key: String, _ message: String) -> DefinitionError { DefinitionError(file: file, key: key, message: message) }
        guard let list = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw fail("(root)", "expected a JSON array of schedules")
        }
        var names = Set<String>()
        return try list.enumerated().map { index, item in
            let at = "[\(index)]"
            guard let object = item as? [String: Any] else { throw fail(at, "expected an object") }
            let allowed: Set<String> = ["name", "action", "every", "day", "time", "missed"]
            if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw fail("\(at).\(unknown)", "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard let name = object["name"] as? String, !name.isEmpty else { throw fail("\(at).name", "expected a non-empty string") }
            guard names.insert(name).inserted else { throw fail("\(at).name", "duplicate schedule \(name)") }
            guard let action = object["action"] as? String, !action.isEmpty else { throw fail("\(at).action", "expected a non-empty string") }
            guard let time = object["time"] as? String else { throw fail("\(at).time", "expected \"HH:MM\"") }
            let clock = time.split(separator: ":")
            guard clock.count == 2, clock[0].count == 2, clock[1].count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]),
                  (0...23).contains(hour), (0...59).contains(minute) else { throw fail("\(at).time", "\(time) is not HH:MM") }
            let frequency: ScheduleDefinition.Frequency
            switch object["every"] as? String {
            case "month":
                guard let day = object["day"] as? Int, (1...31).contains(day) else { throw fail("\(at).day", "expected a day of the month, 1..31") }
                frequency = .monthly(day: day)
            case "day":
                guard object["day"] == nil else { throw fail("\(at).day", "a daily schedule takes no day") }
                frequency = .daily
            default:
                throw fail("\(at).every", "expected \"month\" or \"day\"")
            }
            let missedText = object["missed"] as? String ?? "fire_once"
            guard let missed = ScheduleDefinition.MissedPolicy(rawValue: missedText) else {
                throw fail("\(at).missed", "expected \"fire_once\" or \"skip\"")
            }
            return ScheduleDefinition(name: name, action: action, frequency: frequency, hour: hour, minute: minute, missed: missed)
        }
    }
}
