import CadreflowEngine

/// The hooks the monthly cycle's definition names: its self-assessment deadline moves the
/// cycle's assessments still waiting for a self-assessment to overdue, in bulk, in the
/// timer's transaction (each with its history row).
enum AssessmentHooks {
    static var hooks: WorkflowHooks {
        WorkflowHooks(effects: [
            "cycle.mark_overdue": { context in
                guard let cycle = context.instance else { return }
                try context.engine.moveMany(
                    workflow: AssessmentService.assessmentWorkflow, transition: "mark_overdue",
                    filter: BulkFilter(states: ["pending", "returned"], dataEquals: ["cycle": cycle.key]), actor: .system,
                    reason: "the self-assessment deadline \(cycle.data["self_deadline"] ?? "") passed"
                )
            },
        ])
    }
}
