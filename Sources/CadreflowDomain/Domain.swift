import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The domain as the composition root builds it: the hooks and schedule actions the
/// engine runs, the vocabulary definitions are checked against, and the services the
/// commands call. Built in two steps, because the engine needs the hooks before the
/// services can use the engine: ``hooks`` and ``vocabulary`` first, then ``init(pool:engine:calendar:retirement:)``.
public struct Domain: Sendable {
    /// Units, cadres and their history.
    public let organisation: OrganisationService
    /// Exam results uploads.
    public let examResults: ExamResultsService

    /// The services on a pool and an engine.
    public init(pool: PostgresPool, engine: WorkflowEngine, calendar: DomainCalendar, retirement: RetirementSchedule = .statutory) {
        organisation = OrganisationService(pool: pool, calendar: calendar, retirement: retirement)
        examResults = ExamResultsService(engine: engine)
    }

    /// Every hook the shipped definitions name.
    public static var hooks: WorkflowHooks { PendingHooks.hooks }

    /// What definitions may name: the account roles, the `cadre` and `system` actors, the hooks.
    public static var vocabulary: DefinitionVocabulary {
        DefinitionVocabulary(roles: Role.workflowVocabulary, hooks: hooks.names)
    }

    /// Schedule actions this build provides (none yet: the monthly cycle opening comes with
    /// the assessment issue); schedules naming others are reported inactive.
    public static var scheduleActions: [String: ScheduleAction] { [:] }

    /// A calendar reading the system clock in a time zone.
    public static func calendar(timeZone: TimeZone) -> DomainCalendar {
        DomainCalendar { CalendarDay(Date(), timeZone: timeZone) }
    }
}
