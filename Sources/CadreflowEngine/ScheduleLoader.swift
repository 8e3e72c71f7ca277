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
        let reader = JSONReader(file: file)
        guard let root = try? JSONSerialization.jsonObject(with: data) else {
            throw reader.fail("(root)", "not valid JSON")
        }
        var names = Set<String>()
        return try reader.array(root, at: "(root)").enumerated().map { index, item in
            let at = "[\(index)]"
            let object = try reader.object(item, at: at, allowed: ["name", "action", "every", "day", "time", "missed"])
            let name = try reader.string(object["name"], at: "\(at).name")
            guard names.insert(name).inserted else { throw reader.fail("\(at).name", "duplicate schedule \(name)") }
            let action = try reader.string(object["action"], at: "\(at).action")
            let time = try reader.string(object["time"], at: "\(at).time")
            let clock = time.split(separator: ":")
            guard clock.count == 2, clock[0].count == 2, clock[1].count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]),
                  (0...23).contains(hour), (0...59).contains(minute) else { throw reader.fail("\(at).time", "\(time) is not HH:MM") }
            let frequency: ScheduleDefinition.Frequency
            switch try reader.string(object["every"], at: "\(at).every") {
            case "month":
                let day = try reader.integer(object["day"], at: "\(at).day")
                guard (1...31).contains(day) else { throw reader.fail("\(at).day", "expected a day of the month, 1..31") }
                frequency = .monthly(day: day)
            case "day":
                guard object["day"] == nil else { throw reader.fail("\(at).day", "a daily schedule takes no day") }
                frequency = .daily
            default:
                throw reader.fail("\(at).every", "expected \"month\" or \"day\"")
            }
            let missedText = try object["missed"].map { try reader.string($0, at: "\(at).missed") } ?? "fire_once"
            guard let missed = ScheduleDefinition.MissedPolicy(rawValue: missedText) else {
                throw reader.fail("\(at).missed", "expected \"fire_once\" or \"skip\"")
            }
            return ScheduleDefinition(name: name, action: action, frequency: frequency, hour: hour, minute: minute, missed: missed)
        }
    }
}
