/// A malformed reference file: which file, which line, and what is wrong.
public struct DemoDataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file name, e.g. `hanoi-units-2025.csv`.
    public let file: String
    /// The 1-based line where the bad record starts (0 when the file itself is missing).
    public let line: Int
    /// What is wrong, in plain words.
    public let message: String

    /// An error for `file` at `line`.
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`.
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
