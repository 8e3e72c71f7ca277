import CadreflowEngine

/// The hooks named by config/workflows whose domain code has not been written yet (the
/// rotation issue brings it). Until then each guard refuses
/// with a message saying so, and each effect fails its transition: nothing pretends to
/// have done domain work. Definitions are still validated against these names at start,
/// so a typo in a definition stops start-up. This list shrinks as areas land.
enum PendingHooks {
    static let guardNames = [
        "assignment.rules_hold", "assignment.extension_allowed",
    ]
    static let effectNames = [
        "assignment.move_cadre", "assignment.push_end_date", "assignment.return_or_keep",
    ]

    static var hooks: WorkflowHooks {
        WorkflowHooks(
            guards: Dictionary(uniqueKeysWithValues: guardNames.map { name in
                (name, { @Sendable (_: HookContext) throws in throw GuardRefusal("\(name) is not implemented in this build yet") })
            }),
            effects: Dictionary(uniqueKeysWithValues: effectNames.map { name in
                (name, { @Sendable (_: HookContext) throws in throw GuardRefusal("\(name) is not implemented in this build yet") })
            })
        )
    }
}
