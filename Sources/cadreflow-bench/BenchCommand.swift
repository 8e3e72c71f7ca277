import ArgumentParser

/// `cadreflow-bench`: prints throughput figures next to references measured in the same
/// run on the same server, and their ratio.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cadreflow-bench",
        abstract: "Benchmarks of Cadreflow against PostgreSQL's own tools, side by side.",
        subcommands: [DatabaseBench.self, EngineBench.self, ProtocolBench.self, ReadLaneBench.self, AssessmentBench.self, ExamBench.self, SoakBench.self]
    )
}
