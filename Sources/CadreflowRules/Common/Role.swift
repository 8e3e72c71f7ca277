/// The roles of the service's accounts.
public enum Role: String, Sendable, CaseIterable {
    /// Users and configuration; everything.
    case admin
    /// Organisation data, cycles, exams, rotations, reports in its scope.
    case organizer
    /// Assessments of cadres in its unit subtree.
    case manager
    /// Read-only reports in its scope.
    case viewer

    /// The actors a workflow definition may name besides the account roles: a cadre
    /// acting on their own record (an account bound to a cadre), and the engine itself.
    public static let workflowActors: [String] = ["cadre", "system"]

    /// Every role a workflow transition may name: the account roles and the actors.
    public static var workflowVocabulary: Set<String> {
        Set(allCases.map(\.rawValue) + workflowActors)
    }
}
