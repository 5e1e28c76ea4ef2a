import AnguanCore
import Crypto
import Foundation
import Logging
import Metrics
import SQLKit

/// Imports a folder of interchange files (`../spec/interchange.md`) into the store.
///
/// All-or-nothing by default: every row is parsed, validated and checked against the folder and
/// the database inside one transaction, and one bad row rolls the whole import back. With
/// `skipInvalid`, valid rows are committed and rejected rows go to a rejects file.
public struct Importer: Sendable {
    public struct Options: Sendable {
        public var skipInvalid = false
        /// Where rejected rows are written with `skipInvalid`.
        public var rejectsPath: String?
        public var progress: (@Sendable (ImportProgress) -> Void)?
        /// Who runs the import, for the audit log (a login, or `cli`).
        public var actor: String
        /// On SQLite, write through one prepared statement reused for every row (the fast path);
        /// false keeps to multi-row statements through the driver, as when the handle is unavailable.
        public var reuseSQLiteStatement = true
        public init(skipInvalid: Bool = false, rejectsPath: String? = nil,
                    progress: (@Sendable (ImportProgress) -> Void)? = nil, actor: String = "cli") {
            self.skipInvalid = skipInvalid
            self.rejectsPath = rejectsPath
            self.progress = progress
            self.actor = actor
        }
    }

    public let store: Store
    public let options: Options

    public init(store: Store, options: Options = Options()) {
        self.store = store
        self.options = options
    }

    /// The element files of a folder, in dependency order.
    static func locate(_ folder: String) -> (files: [(ElementKind, String, Bool)], problems: [ImportProblem]) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            return ([], [ImportProblem(file: folder, line: nil, column: nil, reason: "is not a folder")])
        }
        let names = Set((try? fm.contentsOfDirectory(atPath: folder)) ?? [])
        var files: [(ElementKind, String, Bool)] = []
        var problems: [ImportProblem] = []
        for kind in ElementKind.allCases {
            let csv = "\(kind.fileStem).csv", jsonl = "\(kind.fileStem).jsonl"
            switch (names.contains(csv), names.contains(jsonl)) {
            case (true, true):
                problems.append(ImportProblem(file: jsonl, line: nil, column: nil,
                                              reason: "both \(csv) and \(jsonl) are present; keep one"))
            case (true, false): files.append((kind, csv, false))
            case (false, true): files.append((kind, jsonl, true))
            default: break
            }
        }
        if files.isEmpty && problems.isEmpty {
            let expected = ElementKind.allCases.map { "\($0.fileStem).csv" }.joined(separator: ", ")
            let what = names.isEmpty ? "the folder is empty" : "the folder holds no known element file"
            problems.append(ImportProblem(file: folder, line: nil, column: nil,
                                          reason: "\(what) (expected any of \(expected), or .jsonl)"))
        }
        return (files, problems)
    }

    /// A folder's element files, and the pre-scan of the ids later files refer to ahead, running
    /// already: it needs no database, so it can start before the store is opened and migrated.
    public struct FolderScan: Sendable {
        let folder: String
        let located: (files: [(ElementKind, String, Bool)], problems: [ImportProblem])
        let prescan: Task<HashedIdMap, Never>
    }

    public static func scan(folder: String) -> FolderScan {
        let located = locate(folder)
        return FolderScan(folder: folder, located: located,
                          prescan: Task { ImportJob.prescan(folder: folder, located.files) })
    }

    /// Runs the import of `folder` (with its scan, if started earlier). Throws `ImportRejected`
    /// when the folder has problems and nothing was written; returns the report otherwise.
    public func run(folder: String, scan: FolderScan? = nil) async throws -> ImportReport {
        let started = clock_seconds()
        let scan = scan?.folder == folder ? scan! : Self.scan(folder: folder)
        let located = scan.located
        let prescan = scan.prescan
        let runId = try await store.write { s in
            let id = try await s.nextId(of: "import_runs")
            try await s.sql.raw("""
                INSERT INTO import_runs (id, folder, started_at, outcome, mode)
                VALUES (\(bind: id), \(bind: folder), \(bind: Int64(started)), 'running', \(bind: options.skipInvalid ? "skip-invalid" : "all-or-nothing"))
                """).run()
            return id
        }
        var state = ImportState(folder: folder, skipInvalid: options.skipInvalid)
        for p in located.problems { state.problem(p) }

        var outcome = ImportReport.Outcome.rejected
        if located.problems.isEmpty {
            do {
                let (finalState, committed) = try await store.write { [state, options] session in
                    var st = state
                    let job = ImportJob(session: session, runId: runId, options: options)
                    let plans = try await job.plan(located.files)
                    st.prescanned = await prescan.value
                    do {
                        let parsing = ParsingExecutor()
                        for ((kind, file, jsonl), plan) in zip(located.files, plans) {
                            try await withTaskExecutorPreference(parsing) {
                                try await job.importFile(kind: kind, file: file, jsonl: jsonl, plan: plan, &st)
                            }
                        }
                        try await st.tail?.value
                        // A file given up at its header never got a writer: its table gets its indexes back here.
                        for ((kind, _, _), plan) in zip(located.files, plans) where !st.rebuildsOwned.contains(kind.ordinal) {
                            try await BulkWriter.rebuild(session, plan.rebuild)
                        }
                    } catch {
                        _ = try? await st.tail?.value  // nothing may run on the connection after the rollback
                        throw error
                    }
                    if st.problemCount > 0 && !st.skipInvalid { throw RollBack(state: st) }
                    return (st, true)
                }
                state = finalState
                outcome = committed ? .committed : .rejected
            } catch let rb as RollBack {
                state = rb.state
            }
        }
        var report = ImportReport(
            runId: runId, outcome: outcome, files: state.summaries, problems: state.problems,
            problemCount: state.problemCount, warnings: state.warnings, rejectsPath: nil)
        if outcome == .committed, !state.rejects.isEmpty {
            let path = options.rejectsPath ?? defaultRejectsPath(runId: runId)
            try RejectsWriter.write(state.rejects, to: path)
            report.rejectsPath = path
        }
        try await record(report, started: started)
        Counter(label: "anguan_import_runs_total", dimensions: [("outcome", outcome.rawValue)]).increment()
        for f in report.files {
            let element = [("element", f.kind.rawValue)]
            Counter(label: "anguan_import_rows_total", dimensions: element + [("result", "read")]).increment(by: f.rows)
            if outcome == .committed {
                Counter(label: "anguan_import_rows_total", dimensions: element + [("result", "inserted")]).increment(by: f.inserted)
                Counter(label: "anguan_import_rows_total", dimensions: element + [("result", "updated")]).increment(by: f.updated)
            }
            Counter(label: "anguan_import_rows_total", dimensions: element + [("result", "rejected")]).increment(by: f.rejected)
        }
        if outcome == .rejected { throw ImportRejected(report: report) }
        return report
    }

    private func defaultRejectsPath(runId: Int64) -> String {
        let base: String
        if case .sqlite(let path) = store.url {
            base = (path as NSString).deletingLastPathComponent
        } else {
            base = FileManager.default.currentDirectoryPath
        }
        return (base.isEmpty ? "." : base) + "/import-\(runId)-rejects.csv"
    }

    private func record(_ report: ImportReport, started: Int) async throws {
        let finished = Int64(clock_seconds())
        let message: String? = report.problemCount == 0 ? nil
            : report.problems.prefix(20).map(\.description).joined(separator: "\n")
                + (report.problemCount > 20 ? "\n… \(report.problemCount) problems in all" : "")
        try await store.write { s in
            try await s.sql.raw("""
                UPDATE import_runs SET finished_at = \(bind: finished), outcome = \(bind: report.outcome.rawValue),
                  inserted = \(bind: report.outcome == .committed ? report.inserted : 0),
                  updated = \(bind: report.outcome == .committed ? report.updated : 0),
                  unchanged = \(bind: report.unchanged), rejected = \(bind: report.rejected), message = \(bind: message)
                WHERE id = \(bind: report.runId)
                """).run()
            for f in report.files {
                try await s.sql.raw("""
                    INSERT INTO import_files (run_id, file, sha256, rows, inserted, updated, unchanged, rejected)
                    VALUES (\(bind: report.runId), \(bind: f.file), \(bind: f.sha256), \(bind: f.rows), \(bind: f.inserted),
                            \(bind: f.updated), \(bind: f.unchanged), \(bind: f.rejected))
                    """).run()
            }
            try await AuditLog.append(s, actor: options.actor, action: "import.\(report.outcome.rawValue)",
                                      object: "import_run:\(report.runId)",
                                      detail: "files=\(report.files.count) inserted=\(report.inserted) updated=\(report.updated) "
                                          + "rejected=\(report.rejected) problems=\(report.problemCount)")
        }
    }
}

/// Thrown inside the transaction to roll it back while keeping what was learnt.
struct RollBack: Error {
    let state: ImportState
}

/// A rejected row, kept for the rejects file.
struct RejectedRow: Sendable {
    let file: String
    let line: Int
    let column: String?
    let reason: String
    let header: [String]
    let cells: [String: String]
}

/// What an import has learnt so far.
struct ImportState: Sendable {
    let folder: String
    let skipInvalid: Bool
    var problems: [ImportProblem] = []
    var problemCount = 0
    var warnings: [String] = []
    var summaries: [ImportFileSummary] = []
    /// Ids found by the pre-scan of files that are referred to before they are loaded, as `key`s.
    var prescanned = HashedIdMap(capacity: 1024, values: false)
    /// Ids of rejected records (with `skipInvalid`): rows referring to them are rejected too.
    var rejectedIds: [ElementKind: [String: Int]] = [:]
    var rejects: [RejectedRow] = []
    /// Writes a file left running when it ended (PostgreSQL: its last COPYs and index builds).
    var tail: Task<Void, any Error>?
    /// Files (by element ordinal) whose writer took over rebuilding the indexes its plan dropped.
    var rebuildsOwned = Set<Int>()

    /// Ids confirmed to exist (written by this import or found in the database), as hashes of
    /// element and id, so most references need no database lookup: a table per element (by
    /// ordinal), since a file's references to one element probe a table a fraction of the size of
    /// one for all, and miss the cache less. Capped, so memory stays bounded: past the cap
    /// references are simply looked up.
    var known = ElementKind.allCases.map { _ in HashedIdMap(capacity: 1024, values: false) }
    var knownCount = 0

    /// The hash under which an id of an element is remembered.
    static func key(_ kind: ElementKind, _ id: String) -> UInt64 {
        var h = FNV1a()
        h.add(byte: UInt8(truncatingIfNeeded: kind.ordinal))
        h.add(byte: 0x1F)
        h.add(id)
        return h.value
    }

    mutating func remember(_ kind: ElementKind, _ id: String) { remember(kind, key: Self.key(kind, id)) }

    mutating func remember(_ kind: ElementKind, key: UInt64) {
        if knownCount < ImportLimits.knownIdCap, known[kind.ordinal].insertIfAbsent(key, 0) == nil { knownCount += 1 }
    }

    /// Whether the id with this `key` (of an element of `kind`) is confirmed, or was found by the
    /// pre-scan (which reads only the files of `ImportJob.forwardTargets`).
    func isKnownOrPrescanned(_ key: UInt64, kind: ElementKind) -> Bool {
        (Self.prescans[kind.ordinal] && prescanned.contains(key)) || known[kind.ordinal].contains(key)
    }

    /// `ImportJob.forwardTargets` by element ordinal (a lookup per reference, so no hashing).
    private static let prescans: [Bool] = {
        var by = [Bool](repeating: false, count: ElementKind.allCases.count)
        for k in ImportJob.forwardTargets { by[k.ordinal] = true }
        return by
    }()

    mutating func problem(_ p: ImportProblem) {
        problemCount += 1
        if problems.count < ImportLimits.maxListedProblems { problems.append(p) }
    }
}
