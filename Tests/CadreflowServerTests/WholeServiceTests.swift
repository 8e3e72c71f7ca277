import Testing

/// The tests that run the real service as a process, or whole PostgreSQL clusters (a
/// standby, a restore), and hold them to deadlines (writes again within 5 s, a restart
/// on the first try). They run one at a time: side by side on a 2-core machine, with the
/// rest of the suite around them, they slowed one another past those deadlines.
@Suite("Whole services and clusters (one at a time: they time real processes)", .serialized)
enum WholeServiceTests {}
