import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The domain as the composition root builds it: the hooks and schedule actions the
/// engine runs, the vocabulary definitions are checked against, and the services the
/// commands call. Built in two steps, because the engine needs the hooks before the
/// services can use the engine: ``hooks`` and ``vocabulary`` first, then ``init(pool:engine:calendar:rules:retirement:examPolicy:assignmentPolicy:)``.
public struct Domain: Sendable {
    /// Units, cadres and their history.
    public let organisation: OrganisationService
    /// Competitive examinations for leadership posts.
    public let exams: ExamService
    /// The monthly assessment: cycles, steps, approval, reports.
    public let assessments: AssessmentService
    /// Rotations, transfers, secondments and position changes, and the non-local report.
    public let assignments: AssignmentService

    /// The services on a pool and an engine, judging assessments by `rules`.
    public init(
        pool: PostgresPool, engine: WorkflowEngine, calendar: DomainCalendar, rules: RuleSetCatalog, retirement: RetirementSchedule = .statutory,
        examPolicy: ExamPolicy = .standard, assignmentPolicy: AssignmentPolicy = .standard
    ) {
        organisation = OrganisationService(pool: pool, calendar: calendar, retirement: retirement)
        exams = ExamService(pool: pool, engine: engine, policy: examPolicy, calendar: calendar, retirement: retirement)
        assessments = AssessmentService(pool: pool, engine: engine, rules: rules, calendar: calendar)
        assignments = AssignmentService(pool: pool, engine: engine, policy: assignmentPolicy, calendar: calendar, retirement: retirement)
    }

    /// Every hook the shipped definitions name, with the assignment checks under the
    /// standard limits and the statutory retirement ages.
    public static var hooks: WorkflowHooks { hooks(assignmentPolicy: .standard, retirement: .statutory) }

    /// Every hook the shipped definitions name, the assignment checks under these limits
    /// (the service passes its configuration; the same values must reach ``init``).
    public static func hooks(assignmentPolicy: AssignmentPolicy, retirement: RetirementSchedule) -> WorkflowHooks {
        AssessmentHooks.hooks.merging(ExamHooks.hooks).merging(AssignmentHooks.hooks(policy: assignmentPolicy, retirement: retirement))
    }

    /// What definitions may name: the account roles, the `cadre` and `system` actors, the hooks.
    public static var vocabulary: DefinitionVocabulary {
        DefinitionVocabulary(roles: Role.workflowVocabulary, hooks: hooks.names)
    }

    /// Schedule actions this build provides; schedules naming others are reported inactive.
    /// `open_monthly_cycle`: on day 1 of month M+1, open month M for every root unit.
    public var scheduleActions: [String: ScheduleAction] {
        let assessments = self.assessments
        return [Self.openMonthlyCycle: .afterRecording { occurrence in try await assessments.openScheduledMonth(period: occurrence.period) }]
    }

    /// The schedule actions' names (what `cadreflow check` reports schedules against).
    public static var scheduleActionNames: Set<String> { [openMonthlyCycle] }
    static let openMonthlyCycle = "open_monthly_cycle"

    /// A calendar reading the system clock in a time zone.
    public static func calendar(timeZone: TimeZone) -> DomainCalendar {
        DomainCalendar { CalendarDay(Date(), timeZone: timeZone) }
    }
}
