import AnguanCore
import Foundation
import Logging
import SQLKit

/// Runs the daily patrol over the store: reads the records case by case (a page of cases and
/// everything attached to them at a time, the next page read while this one is evaluated), hands
/// each page's findings to the problem sync, and keeps nothing else: memory does not grow with the
/// branch or with the number of findings.
public struct PatrolRunner: Sendable {
    public let store: Store
    public let catalog: Catalog
    public let calendar: HolidayCalendar

    public init(store: Store, catalog: Catalog, calendar: HolidayCalendar) {
        self.store = store
        self.catalog = catalog
        self.calendar = calendar
    }

    public struct Summary: Sendable {
        public var runId: Int64 = 0
        /// Findings per rule and kind.
        public var counts: [String: [FindingKind: Int]] = [:]
        public var findingCount = 0
        public var opened = 0
        public var persisting = 0
        public var gone = 0
        public var seconds = 0.0
        public var records = 0

        mutating func count(_ fs: [Finding]) {
            findingCount += fs.count
            for f in fs { counts[f.ruleId, default: [:]][f.kind, default: 0] += 1 }
        }
    }

    /// Calls `body` with the findings of each page of records, as of `now`. Returns the number of
    /// records read.
    public func forEachFindings(now: Instant, only: Set<String> = [],
                                _ body: ([Finding]) async throws -> Void) async throws -> Int {
        let engine = PatrolEngine(catalog: catalog, only: only)
        let reader = RecordReader(store: store)
        let roles = try await store.read { db in
            try await db.raw("SELECT officer_id, roles FROM el_officers").all().map {
                (try $0.decode(column: "officer_id", as: String.self),
                 Set(FieldCodec.listItems(try $0.decode(column: "roles", as: String?.self) ?? "")))
            }
        }
        let context = PatrolContext(now: now, calendar: calendar, officerRoles: Dictionary(roles, uniquingKeysWith: { a, _ in a }))
        var records = 0
        // The next page of cases is read while this one is evaluated.
        var pending: Task<(bundles: [CaseBundle], records: Int, last: String?), any Error>? =
            Task { try await Self.loadBundles(reader: reader, after: nil) }
        while let task = pending {
            let page = try await task.value
            guard let last = page.last else { break }
            pending = Task { try await Self.loadBundles(reader: reader, after: last) }
            records += page.records
            var out: [Finding] = []
            for b in page.bundles { out += engine.evaluate(b, context: context) }
            try await body(out)
        }
        if engine.needsIncidents {
            var afterIncident: String?
            while true {
                let page = try await reader.page(.incidents, after: afterIncident, limit: 2000)
                if page.isEmpty { break }
                afterIncident = page.last!.id
                records += page.count
                let linked = try await reader.records(.cases, where: "case_id", in: page.compactMap { $0.text("case_id") })
                    + reader.records(.cases, where: "incident_id", in: page.map(\.id))
                var byId: [String: Record] = [:]
                var byIncident: [String: Record] = [:]
                for c in linked {
                    byId[c.id] = c
                    if let i = c.text("incident_id"), byIncident[i] == nil || c.id < byIncident[i]!.id { byIncident[i] = c }
                }
                var out: [Finding] = []
                for i in page {
                    let c = i.text("case_id").flatMap { byId[$0] } ?? byIncident[i.id]
                    out += engine.evaluate(incident: i, linkedCase: c, context: context)
                }
                try await body(out)
            }
        }
        return records
    }

    /// Every finding as of `now`, in export order; nothing is written. For backtests and small
    /// branches: the daily patrol streams instead.
    public func findings(now: Instant, only: Set<String> = []) async throws -> (findings: [Finding], records: Int) {
        var all: [Finding] = []
        let records = try await forEachFindings(now: now, only: only) { all += $0 }
        all.sort(by: Finding.exportOrder)
        return (all, records)
    }

    /// A page of cases with everything attached to them.
    static func loadBundles(reader: RecordReader, after: String?) async throws -> (bundles: [CaseBundle], records: Int, last: String?) {
        let cases = try await reader.page(.cases, after: after, limit: 1000)
        if cases.isEmpty { return ([], 0, nil) }
        let (bundles, records) = try await bundles(of: cases, reader: reader)
        return (bundles, records, cases.last!.id)
    }

    /// The case bundles of some cases: every record the rules read about each case.
    static func bundles(of cases: [Record], reader: RecordReader) async throws -> (bundles: [CaseBundle], records: Int) {
        var records = cases.count
        let ids = cases.map(\.id)
        var bundles: [String: CaseBundle] = [:]
        for c in cases { bundles[c.id] = CaseBundle(case: c) }
        func attach(_ kind: ElementKind, _ set: (inout CaseBundle, Record) -> Void) async throws {
            for r in try await reader.records(kind, where: "case_id", in: ids) {
                if let cid = r.text("case_id"), bundles[cid] != nil { set(&bundles[cid]!, r) }
                records += 1
            }
        }
        try await attach(.persons) { $0.persons.append($1) }
        try await attach(.measures) { $0.measures.append($1) }
        try await attach(.transcripts) { $0.transcripts.append($1) }
        try await attach(.property) { $0.property.append($1) }
        try await attach(.appraisals) { $0.appraisals.append($1) }
        try await attach(.coordination) { $0.coordination.append($1) }
        // Incidents linked either way.
        var incidents = try await reader.records(.incidents, where: "case_id", in: ids)
        let named = cases.compactMap { $0.text("incident_id") }
        let seen = Set(incidents.map(\.id))
        incidents += try await reader.records(.incidents, where: "incident_id", in: named.filter { !seen.contains($0) })
        var caseOfIncident: [String: [String]] = [:]
        for c in cases { if let i = c.text("incident_id") { caseOfIncident[i, default: []].append(c.id) } }
        for i in incidents {
            var owners = Set(caseOfIncident[i.id] ?? [])
            if let cid = i.text("case_id"), bundles[cid] != nil { owners.insert(cid) }
            for o in owners { bundles[o]!.incidents.append(i) }
        }
        // Persons of other cases named by these cases' transcripts and measures.
        var outside: [String: [String]] = [:]  // person id -> cases naming it
        for b in bundles.values {
            let known = Set(b.persons.map(\.id))
            for r in b.transcripts + b.measures {
                if let pid = r.text("person_id"), !known.contains(pid) { outside[pid, default: []].append(b.caseId) }
            }
        }
        for p in try await reader.records(.persons, where: "person_id", in: Array(outside.keys)) {
            for cid in Set(outside[p.id] ?? []) { bundles[cid]!.linkedPersons.append(p) }
        }
        // Venue visits by the persons of these cases.
        var personCase: [String: String] = [:]
        for b in bundles.values { for p in b.persons { personCase[p.id] = b.caseId } }
        for v in try await reader.records(.venueVisits, where: "person_id", in: Array(personCase.keys)) {
            if let pid = v.text("person_id"), let cid = personCase[pid] { bundles[cid]!.visits.append(v) }
            records += 1
        }
        return (cases.map { bundles[$0.id]! }, records)
    }

    /// Runs the patrol and syncs problems: a new finding opens a problem (预警); a finding still
    /// present updates the same problem; a problem whose finding is gone moves to 复核. Never
    /// deletes. All in one transaction: a patrol killed half-way leaves the previous state.
    /// With `export`, the findings are written there as JSON Lines in export order.
    public func run(now: Instant, only: Set<String> = [], export: String? = nil) async throws -> Summary {
        let clock = ContinuousClock()
        let t0 = clock.now
        let started = Int64(clock_seconds())
        let runId = try await store.write { s in
            let id = try await s.nextId(of: "patrol_runs")
            try await s.sql.raw("""
                INSERT INTO patrol_runs (id, started_at, now_at, catalog_version, rules, outcome)
                VALUES (\(bind: id), \(bind: started), \(bind: now.seconds), \(bind: catalog.version),
                        \(bind: only.isEmpty ? "*" : only.sorted().joined(separator: ",")), 'running')
                """).run()
            return id
        }
        let ruleIds = Set(PatrolEngine(catalog: catalog, only: only).rules.map(\.id))
        let runner = self
        var summary = try await store.write { s in
            let sync = try await ProblemSync(session: s, runId: runId, at: Int64(clock_seconds()))
            var summary = Summary()
            // A page's findings are written while the next page is evaluated.
            var pending: Task<Void, any Error>?
            do {
                summary.records = try await runner.forEachFindings(now: now, only: only) { page in
                    summary.count(page)
                    try await pending?.value
                    pending = Task { try await sync.apply(page) }
                }
                try await pending?.value
            } catch {
                try? await pending?.value  // nothing may run on the connection after the rollback
                throw error
            }
            try await sync.finish(rules: ruleIds)
            (summary.opened, summary.persisting, summary.gone) = (sync.opened, sync.persisting, sync.gone)
            try await AuditLog.append(s, actor: "patrol", action: "patrol.run", object: "patrol_run:\(runId)",
                                      detail: "now=\(now.cstString) findings=\(summary.findingCount) opened=\(sync.opened) "
                                          + "persisting=\(sync.persisting) gone=\(sync.gone)")
            return summary
        }
        summary.runId = runId
        if let export { try await ProblemExport(store: store).write(runId: runId, to: export) }
        summary.seconds = ImportJob.seconds(clock.now - t0)
        let s = summary
        try await store.write { db in
            try await db.sql.raw("""
                UPDATE patrol_runs SET finished_at = \(bind: Int64(clock_seconds())), findings = \(bind: s.findingCount),
                  opened = \(bind: s.opened), persisting = \(bind: s.persisting), gone = \(bind: s.gone), outcome = 'finished'
                WHERE id = \(bind: runId)
                """).run()
        }
        return summary
    }
}

/// Writes findings into problems, page by page, inside the patrol's transaction.
///
/// Unchecked-Sendable because the patrol hands it from page to page: every call is awaited before
/// the next one starts, so its state is never touched by two tasks at once.
final class ProblemSync: @unchecked Sendable {
    let session: Session
    let runId: Int64
    let at: Int64
    /// An existing problem, kept compact: a 10M-record branch has half a million of them.
    struct Existing {
        let id: Int64
        /// A second, independent hash of the identity, so two identities never pass for one.
        let check: UInt64
        let rule: UInt16
        let state: String
        let finding: String
        let due: Int64?
        /// Sent to 复核 by the patrol itself (not by a person), so a reappearing finding reopens it.
        let goneByPatrol: Bool
    }
    private var existing: [UInt64: Existing] = [:]
    private var rules: [String] = []
    private var ruleIndex: [String: UInt16] = [:]
    private var lastSeq: [Int64: Int64] = [:]
    private var seen = Set<Int64>()
    private var nextId: Int64
    private(set) var opened = 0
    private(set) var persisting = 0
    private(set) var gone = 0

    /// A problem event waiting to be written.
    struct Event {
        let problemId: Int64
        let seq: Int64
        let action: String
        let from: String?
        let to: String
        let comment: String
    }

    static func hashes(_ identity: String) -> (UInt64, UInt64) {
        var check = FNV1a()
        check.add("anguan.identity.check")
        check.add(identity)
        return (FNV1a.hash(identity), check.value)
    }

    init(session: Session, runId: Int64, at: Int64) async throws {
        self.session = session
        self.runId = runId
        self.at = at
        let db = session.sql
        try await session.serializeProblemWrites()
        nextId = try await db.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM problems").first()!.decode(column: "n", as: Int64.self)
        var after: Int64 = 0
        while true {
            let rows = try await db.raw("""
                SELECT id, identity, rule_id, state, finding, due_at, gone_by_patrol FROM problems
                WHERE source = 'patrol' AND id > \(bind: after) ORDER BY id LIMIT 5000
                """).all()
            if rows.isEmpty { break }
            for r in rows {
                let id = try r.decode(column: "id", as: Int64.self)
                let (key, check) = Self.hashes(try r.decode(column: "identity", as: String.self))
                existing[key] = Existing(id: id, check: check, rule: intern(try r.decode(column: "rule_id", as: String.self)),
                                         state: try r.decode(column: "state", as: String.self),
                                         finding: try r.decode(column: "finding", as: String.self),
                                         due: try r.decode(column: "due_at", as: Int64?.self),
                                         goneByPatrol: try r.decode(column: "gone_by_patrol", as: Int64.self) != 0)
                after = id
            }
        }
    }

    private func intern(_ rule: String) -> UInt16 {
        if let i = ruleIndex[rule] { return i }
        let i = UInt16(rules.count)
        rules.append(rule)
        ruleIndex[rule] = i
        return i
    }

    /// The next event number of a problem (looked up only for problems that get an event).
    private func nextSeq(_ id: Int64) async throws -> Int64 {
        if let s = lastSeq[id] { return s + 1 }
        let s = try await session.sql.raw("SELECT COALESCE(MAX(seq), 0) AS s FROM problem_events WHERE problem_id = \(bind: id)")
            .first()!.decode(column: "s", as: Int64.self)
        return s + 1
    }

    private func event(_ id: Int64, _ action: String, _ from: String?, _ to: String, _ comment: String,
                       into events: inout [Event]) async throws {
        let seq = try await nextSeq(id)
        lastSeq[id] = seq
        events.append(Event(problemId: id, seq: seq, action: action, from: from, to: to, comment: comment))
    }

    func apply(_ findings: [Finding]) async throws {
        var events: [Event] = []
        var newRows: [[any Encodable & Sendable]] = []
        var updates: [[any Encodable & Sendable]] = []
        for f in findings {
            let identity = f.identity
            let (key, check) = Self.hashes(identity)
            let facts = "[" + f.facts.map(JSON.string).joined(separator: ",") + "]"
            if let e = existing[key], e.check == check {
                seen.insert(e.id)
                persisting += 1
                var state = e.state
                // Only a problem the patrol itself sent to 复核 reopens; one a person is re-checking stays there.
                if e.goneByPatrol, let from = ProblemState(rawValue: e.state),
                   case .success(let to) = ProblemStateMachine.transition(from: from, action: .findingReappeared, by: .patrol) {
                    state = to.rawValue
                    try await event(e.id, ProblemAction.findingReappeared.rawValue, e.state, state, "巡查再次发现该问题（\(f.kind.label)）",
                                    into: &events)
                } else if e.finding != f.kind.rawValue || e.due != f.dueAt?.seconds {
                    try await event(e.id, "finding_changed", e.state, e.state,
                          "发现结果由 \(FindingKind(rawValue: e.finding)?.label ?? e.finding) 变为 \(f.kind.label)"
                              + (f.dueAt.map { "，期限 \($0.cstMinuteString)" } ?? ""), into: &events)
                }
                updates.append([e.id, f.kind.rawValue, f.severity.rawValue, f.dueAt?.seconds, facts, f.explanation, f.unitId,
                                f.officerId, f.caseId, f.ruleName, f.basis, state])
            } else {
                opened += 1
                let id = nextId
                nextId += 1
                newRows.append([id, identity, "patrol", f.ruleId, f.ruleName, f.subjectKind.rawValue,
                                f.subjectIds.joined(separator: ","), f.caseId, f.unitId, f.officerId, f.severity.rawValue,
                                f.kind.rawValue, f.dueAt?.seconds, facts, f.explanation, f.basis, ProblemState.warned.rawValue,
                                at, at, runId, at])
                lastSeq[id] = 0
                try await event(id, "opened", nil, ProblemState.warned.rawValue, "日巡查发现：\(f.kind.label)", into: &events)
            }
        }
        try await update(updates)
        try await insert(newRows, events)
    }

    /// Persisting problems, updated 500 at a time with `WITH v AS (VALUES …) UPDATE … FROM v` (SQLite ≥ 3.33
    /// and PostgreSQL alike) instead of one round trip each.
    private func update(_ rows: [[any Encodable & Sendable]]) async throws {
        let columns = ["finding", "severity", "due_at", "facts", "explanation", "unit_id", "officer_id", "case_id", "rule_name",
                       "basis", "state"]
        let casts = ["TEXT", "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT"]
        for chunk in stride(from: 0, to: rows.count, by: 500) {
            let part = rows[chunk..<min(rows.count, chunk + 500)]
            // A CTE names the VALUES columns in both dialects.
            var q = SQLQueryString("WITH v (id, \(unsafeRaw: columns.joined(separator: ", "))) AS (VALUES ")
            for (n, row) in part.enumerated() {
                q.appendLiteral(n == 0 ? "(" : ", (")
                for (i, v) in row.enumerated() {
                    if i > 0 { q.appendLiteral(", ") }
                    q.appendInterpolation(bind: v)
                }
                q.appendLiteral(")")
            }
            q.appendLiteral(") UPDATE problems SET ")
            q.appendLiteral(zip(columns, casts).map { "\($0) = CAST(v.\($0) AS \($1))" }.joined(separator: ", "))
            q.appendLiteral(", gone_by_patrol = 0, last_seen_at = ")
            q.appendInterpolation(bind: at)
            q.appendLiteral(", last_patrol_id = ")
            q.appendInterpolation(bind: runId)
            q.appendLiteral(", updated_at = ")
            q.appendInterpolation(bind: at)
            q.appendLiteral(" FROM v WHERE problems.id = CAST(v.id AS BIGINT)")
            try await session.sql.raw(q).run()
        }
    }

    /// Problems whose finding is gone move to 复核 (only for the rules this patrol ran).
    func finish(rules: Set<String>) async throws {
        var events: [Event] = []
        for e in existing.values where !seen.contains(e.id) {
            guard rules.contains(self.rules[Int(e.rule)]) else { continue }
            // The state machine decides, as for every other transition.
            guard let from = ProblemState(rawValue: e.state),
                  case .success(let to) = ProblemStateMachine.transition(from: from, action: .findingGone, by: .patrol) else { continue }
            gone += 1
            try await session.sql.raw("""
                UPDATE problems SET state = \(bind: to.rawValue), gone_by_patrol = 1, updated_at = \(bind: at) WHERE id = \(bind: e.id)
                """).run()
            try await event(e.id, ProblemAction.findingGone.rawValue, e.state, to.rawValue, "巡查未再发现该问题（数据已更正），转入复核", into: &events)
        }
        try await insert([], events)
    }

    /// New problems and events in multi-row inserts.
    private func insert(_ newRows: [[any Encodable & Sendable]], _ events: [Event]) async throws {
        let db = session.sql
        let problemColumns = ["id", "identity", "source", "rule_id", "rule_name", "subject_kind", "subject_ids", "case_id",
                              "unit_id", "officer_id", "severity", "finding", "due_at", "facts", "explanation", "basis", "state",
                              "first_seen_at", "last_seen_at", "last_patrol_id", "updated_at"]
        for chunk in stride(from: 0, to: newRows.count, by: 500) {
            let insert = db.insert(into: "problems").columns(problemColumns)
            for row in newRows[chunk..<min(newRows.count, chunk + 500)] { insert.values(row) }
            try await insert.run()
        }
        for chunk in stride(from: 0, to: events.count, by: 1000) {
            let insert = db.insert(into: "problem_events")
                .columns(["problem_id", "seq", "at", "actor", "action", "from_state", "to_state", "comment"])
            for e in events[chunk..<min(events.count, chunk + 1000)] {
                insert.values([e.problemId, e.seq, at, "patrol", e.action, e.from, e.to, e.comment] as [any Encodable & Sendable])
            }
            try await insert.run()
        }
    }
}

/// Writes a patrol run's findings (the problems it saw) as JSON Lines, in export order (rule id,
/// then subject ids), page by page.
struct ProblemExport {
    let store: Store

    func write(runId: Int64, to path: String) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StoreError.io("cannot write \(path)")
        }
        defer { try? handle.close() }
        let collate = store.dialect == .postgres ? " COLLATE \"C\"" : ""
        var after: (String, String)?
        while true {
            let cursor = after
            let rows = try await store.read { db in
                if let (rule, ids) = cursor {
                    return try await db.raw("""
                        SELECT * FROM problems WHERE last_patrol_id = \(bind: runId)
                          AND (rule_id\(unsafeRaw: collate) > \(bind: rule) OR (rule_id = \(bind: rule) AND subject_ids\(unsafeRaw: collate) > \(bind: ids)))
                        ORDER BY rule_id\(unsafeRaw: collate), subject_ids\(unsafeRaw: collate) LIMIT 2000
                        """).all()
                }
                return try await db.raw("""
                    SELECT * FROM problems WHERE last_patrol_id = \(bind: runId)
                    ORDER BY rule_id\(unsafeRaw: collate), subject_ids\(unsafeRaw: collate) LIMIT 2000
                    """).all()
            }
            if rows.isEmpty { break }
            var text = ""
            for r in rows {
                let facts = try JSONDecoder().decode([String].self, from: Data(try r.decode(column: "facts", as: String.self).utf8))
                let f = Finding(
                    ruleId: try r.decode(column: "rule_id", as: String.self), ruleName: try r.decode(column: "rule_name", as: String.self),
                    kind: FindingKind(rawValue: try r.decode(column: "finding", as: String.self)) ?? .breach,
                    severity: Severity(rawValue: try r.decode(column: "severity", as: String.self)) ?? .minor,
                    subjectKind: SubjectKind(rawValue: try r.decode(column: "subject_kind", as: String.self)) ?? .case,
                    subjectIds: try r.decode(column: "subject_ids", as: String.self).split(separator: ",").map(String.init),
                    caseId: try r.decode(column: "case_id", as: String?.self), unitId: try r.decode(column: "unit_id", as: String?.self),
                    officerId: try r.decode(column: "officer_id", as: String?.self),
                    dueAt: try r.decode(column: "due_at", as: Int64?.self).map { Instant(seconds: $0) }, facts: facts,
                    explanation: try r.decode(column: "explanation", as: String.self), basis: try r.decode(column: "basis", as: String.self))
                text += f.exportLine + "\n"
                after = (f.ruleId, f.subjectIds.joined(separator: ","))
            }
            try handle.write(contentsOf: Data(text.utf8))
        }
    }
}
