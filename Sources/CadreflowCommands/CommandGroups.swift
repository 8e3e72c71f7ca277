import CadreflowDomain
import CadreflowEngine
import CadreflowServer

/// The command groups the service mounts on its protocol server: the organisation, the
/// monthly assessment, examinations, assignments and the engine's introspection. Each group captures the services it calls.
public enum CadreflowCommandGroups {
    /// Every group of the service.
    public static func all(domain: Domain, engine: WorkflowEngine, scheduler: Scheduler) -> [CommandGroup] {
        [
            CommandGroup("organisation", UnitCommands(organisation: domain.organisation).all + CadreCommands(organisation: domain.organisation).all
                + [OrgImportCommand(organisation: domain.organisation).spec]),
            CommandGroup("assessment", AssessmentCommands(assessments: domain.assessments).all + AssessmentReportCommands(assessments: domain.assessments).all),
            CommandGroup("exam", ExamCommands(exams: domain.exams).all + [ExamImportCommand(exams: domain.exams).spec] + ExamReadCommands(exams: domain.exams).all),
            CommandGroup("assignment", AssignmentCommands(assignments: domain.assignments).all + AssignmentReadCommands(assignments: domain.assignments).all),
            CommandGroup("engine", EngineCommands(engine: engine, scheduler: scheduler).all),
        ]
    }
}
