/// Durations written as `90s`, `15m`, `2h`, `3d`, optionally negative (`-30d`).
enum DurationText {
    /// Seconds in the text, or nil when it is not a duration.
    static func seconds(_ text: String) -> Int? {
        var body = Substring(text)
        var sign = 1
        if body.hasPrefix("-") { sign = -1; body = body.dropFirst() }
        guard let unit = body.last, let amount = Int(body.dropLast()), amount >= 0 else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        default: return nil
        }
        return sign * amount * scale
    }
}
