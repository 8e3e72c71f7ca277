import Foundation

/// What a legal transition will do: the move and the timers of the new state.
public struct TransitionPlan: Sendable, Equatable {
    /// The transition definition.
    public var transition: TransitionDefinition
    /// The state before.
    public var from: String
    /// The state after.
    public var to: String
    /// The instance data after the caller's fields are merged in.
    public var data: [String: String]
    /// Timers to arm on entering `to` (the old state's timers are cancelled).
    public var timers: [PlannedTimer]
}

/// A timer the engine will store: fire `transition` at `dueAt`.
public struct PlannedTimer: Sendable, Equatable {
    /// The transition to fire.
    public var transition: String
    /// When.
    public var dueAt: Date

    /// A timer from its parts.
    public init(transition: String, dueAt: Date) {
        self.transition = transition
        self.dueAt = dueAt
    }
}

/// The pure decision logic of the engine: is a transition legal from this state, for
/// this role, with these fields; what state and timers follow. No I/O: persistence
/// applies what this decides, and tests drive it without a database.
public enum WorkflowStateMachine {
    /// Decides a transition for an instance in `state` holding `data`.
    public static func plan(
        _ definition: WorkflowDefinition, state: String, data: [String: String],
        transition name: String, role: String, fields: [String: String],
        now: Date, timeZone: TimeZone
    ) -> Result<TransitionPlan, TransitionRefusal> {
        func refuse(_ reason: TransitionRefusal.Reason) -> Result<TransitionPlan, TransitionRefusal> {
            let legal = definition.transitions(from: state, role: role).map(\.name)
            return .failure(TransitionRefusal(reason: reason, transition: name, currentState: state, legal: legal))
        }
        guard let transition = definition.transition(named: name) else {
            return refuse(.unknownTransition)
        }
        guard definition.sources(of: transition).contains(state) else {
            return refuse(.notFromCurrentState)
        }
        guard transition.allows(role: role) else {
            return refuse(.roleNotAllowed)
        }
        let missing = transition.requires.filter { (fields[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            return refuse(.missingFields(missing))
        }
        let merged = data.merging(fields) { _, new in new }
        let timers = timersOnEntering(definition, state: transition.to, data: merged, now: now, timeZone: timeZone)
        return .success(TransitionPlan(transition: transition, from: state, to: transition.to, data: merged, timers: timers))
    }

    /// The timers an instance arms when it enters `state` at `now`. An `at_field` timer
    /// whose field is missing or not a date arms nothing.
    public static func timersOnEntering(
        _ definition: WorkflowDefinition, state: String, data: [String: String], now: Date, timeZone: TimeZone
    ) -> [PlannedTimer] {
        definition.timers.filter { $0.state == state }.compactMap { timer in
            if let after = timer.afterSeconds {
                return PlannedTimer(transition: timer.fire, dueAt: now.addingTimeInterval(TimeInterval(after)))
            }
            guard let field = timer.atField, let text = data[field], let moment = FieldTime.parse(text, timeZone: timeZone) else {
                return nil
            }
            return PlannedTimer(transition: timer.fire, dueAt: moment.addingTimeInterval(TimeInterval(timer.offsetSeconds)))
        }
    }
}

/// Reads the time in a data field: `YYYY-MM-DD` (the start of that day in the service's
/// zone) or an ISO 8601 timestamp with a zone.
public enum FieldTime {
    /// The moment, or nil when the text is neither form.
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: "-")
        if text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let components = DateComponents(year: year, month: month, day: day)
            guard let date = calendar.date(from: components),
                  calendar.component(.day, from: date) == day else { return nil }
            return date
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
