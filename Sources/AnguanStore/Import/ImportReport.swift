import AnguanCore

/// One problem found in an import folder, located by file, line and column.
public struct ImportProblem: Sendable, CustomStringConvertible, Equatable {
    public let file: String
    /// Physical line where the record starts (header = 1); nil for a problem of the whole file.
    public let line: Int?
    /// The field (column) name, where the problem is in one cell.
    public let column: String?
    public let reason: String

    public init(file: String, line: Int?, column: String?, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `measures.csv:1204: column started_at: "2026-13-01 08:00" is not a time (…)`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let column { s += "column \(column): " }
        return s + reason
    }
}

/// What one file of an import did.
public struct ImportFileSummary: Sendable, Equatable {
    public var file: String
    public var kind: ElementKind
    public var sha256: String = ""
    public var rows = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    public var seconds = 0.0

    public init(file: String, kind: ElementKind) {
        self.file = file
        self.kind = kind
    }
}

/// The outcome of an import.
public struct ImportReport: Sendable {
    public enum Outcome: String, Sendable { case committed, rejected }
    public var runId: Int64
    public var outcome: Outcome
    public var files: [ImportFileSummary]
    /// The problems, at most `ImportLimits.maxListedProblems` of them.
    public var problems: [ImportProblem]
    /// How many problems there were in all (may exceed `problems.count`).
    public var problemCount: Int
    public var warnings: [String]
    /// Where the rejected rows were written (with `--skip-invalid`), if any were rejected.
    public var rejectsPath: String?

    public var inserted: Int { files.reduce(0) { $0 + $1.inserted } }
    public var updated: Int { files.reduce(0) { $0 + $1.updated } }
    public var unchanged: Int { files.reduce(0) { $0 + $1.unchanged } }
    public var rejected: Int { files.reduce(0) { $0 + $1.rejected } }
    public var rows: Int { files.reduce(0) { $0 + $1.rows } }
}

/// An import that wrote nothing because the folder has problems (all-or-nothing).
public struct ImportRejected: Error, Sendable, CustomStringConvertible {
    public let report: ImportReport
    public var description: String {
        var lines = report.problems.map(\.description)
        if report.problemCount > report.problems.count {
            lines.append("… and \(report.problemCount - report.problems.count) more problems")
        }
        lines.append("import rejected: \(report.problemCount) problem(s); nothing was written")
        return lines.joined(separator: "\n")
    }
}

public enum ImportLimits {
    public static let maxListedProblems = 1000
    public static let batchSize = 2000
    /// PostgreSQL: the rows handed to the writer at a time (a file's batches stream into one COPY).
    /// (1,000 or 2,000 rows load as fast; with 8,000, back when each batch was a COPY of its own, a
    /// 10M-record import peaked at 507 MB.)
    public static let postgresBatchSize = 4000
    /// A batch also ends once its rows hold this much text, so that long transcripts make shorter
    /// batches and the memory in flight is bounded by bytes as well as rows.
    public static let batchTextBytes = 4 << 20
    /// How many confirmed ids an import remembers (about 16 MB of tables) before it looks references up.
    public static let knownIdCap = 1_000_000
}

/// Progress of an import, for a terminal.
public struct ImportProgress: Sendable {
    public let file: String
    public let rows: Int
    public let rowsPerSecond: Double
    public let finished: Bool
    /// The file's counts, once it is finished.
    public var summary: ImportFileSummary? = nil
}
