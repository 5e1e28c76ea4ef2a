import AnguanCore
import Foundation
import Logging
import SQLKit

/// Runs the daily patrol over the store: reads the records case by case (a page of cases and
/// everything attached to them at a time, so memory stays flat), evaluates the catalog, and
/// syncs the findings into problems in one transaction.
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
        public var findings: [Finding] = []
        public var opened = 0
        public var persisting = 0
        public var gone = 0
        public var seconds = 0.0
        public var records = 0
    }

    /// Evaluates every enabled rule (or `only`) as of `now`; nothing is written.
    public func findings(now: Instant, only: Set<String> = []) async throws -> (findings: [Finding], records: Int) {
        let engine = PatrolEngine(catalog: catalog, only: only)
        let reader = RecordReader(store: store)
        let roles = try await store.read { db in
            try await db.raw("SELECT officer_id, roles FROM el_officers").all().map {
                (try $0.decode(column: "officer_id", as: String.self),
                 Set(FieldCodec.listItems(try $0.decode(column: "roles", as: String?.self) ?? "")))
            }
        }
        let context = PatrolContext(now: now, calendar: calendar, officerRoles: Dictionary(roles, uniquingKeysWith: { a, _ in a }))
        var out: [Finding] = []
        var records = 0
        // The next page of cases is read while this one is evaluated.
        var pending: Task<(bundles: [CaseBundle], records: Int, last: String?), any Error>? =
            Task { try await Self.loadBundles(reader: reader, after: nil) }
        while let task = pending {
            let page = try await task.value
            guard let last = page.last else { break }
            pending = Task { try await Self.loadBundles(reader: reader, after: last) }
            records += page.records
            for b in page.bundles { out += engine.evaluate(b, context: context) }
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
                for i in page {
                    let c = i.text("case_id").flatMap { byId[$0] } ?? byIncident[i.id]
                    out += engine.evaluate(incident: i, linkedCase: c, context: context)
                }
            }
        }
        out.sort(by: Finding.exportOrder)
        return (out, records)
    }

    /// A page of cases with everything attached to them.
    static func loadBundles(reader: RecordReader, after: String?) async throws -> (bundles: [CaseBundle], records: Int, last: String?) {
        let cases = try await reader.page(.cases, after: after, limit: 1000)
        if cases.isEmpty { return ([], 0, nil) }
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
        // Venue visits by the persons of these cases.
        var personCase: [String: String] = [:]
        for b in bundles.values { for p in b.persons { personCase[p.id] = b.caseId } }
        for v in try await reader.records(.venueVisits, where: "person_id", in: Array(personCase.keys)) {
            if let pid = v.text("person_id"), let cid = personCase[pid] { bundles[cid]!.visits.append(v) }
            records += 1
        }
        return (cases.map { bundles[$0.id]! }, records, cases.last!.id)
    }

    /// Runs the patrol and syncs problems: a new finding opens a problem (预警); a finding still
    /// present updates the same problem; a problem whose finding is gone moves to 复核. Never
    /// deletes. All in one transaction: a patrol killed half-way leaves the previous state.
    public func run(now: Instant, only: Set<String> = []) async throws -> Summary {
        let clock = ContinuousClock()
        let t0 = clock.now
        let started = Int64(clock_seconds())
        let runId = try await store.write { s in
            let id = try await s.sql.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM patrol_runs").first()!
                .decode(column: "n", as: Int64.self)
            try await s.sql.raw("""
                INSERT INTO patrol_runs (id, started_at, now_at, catalog_version, rules, outcome)
                VALUES (\(bind: id), \(bind: started), \(bind: now.seconds), \(bind: catalog.version),
                        \(bind: only.isEmpty ? "*" : only.sorted().joined(separator: ",")), 'running')
                """).run()
            return id
        }
        let (findings, records) = try await self.findings(now: now, only: only)
        let ruleIds = Set(PatrolEngine(catalog: catalog, only: only).rules.map(\.id))
        var summary = try await store.write { [findings] s in
            try await ProblemSync(session: s, runId: runId, at: Int64(clock_seconds())).sync(findings, rules: ruleIds)
        }
        summary.runId = runId
        summary.findings = findings
        summary.records = records
        summary.seconds = ImportJob.seconds(clock.now - t0)
        let (opened, persisting, gone) = (summary.opened, summary.persisting, summary.gone)
        try await store.write { s in
            try await s.sql.raw("""
                UPDATE patrol_runs SET finished_at = \(bind: Int64(clock_seconds())), findings = \(bind: findings.count),
                  opened = \(bind: opened), persisting = \(bind: persisting), gone = \(bind: gone), outcome = 'finished'
                WHERE id = \(bind: runId)
                """).run()
        }
        return summary
    }
}

/// Writes findings into problems.
struct ProblemSync {
    let session: Session
    let runId: Int64
    let at: Int64

    /// A problem event waiting to be written.
    struct Event {
        let problemId: Int64
        let seq: Int64
        let action: String
        let from: String?
        let to: String
        let comment: String
    }

    func sync(_ findings: [Finding], rules: Set<String>) async throws -> PatrolRunner.Summary {
        let db = session.sql
        var existing: [String: (id: Int64, state: String, finding: String, due: Int64?)] = [:]
        for r in try await db.raw("SELECT id, identity, state, finding, due_at FROM problems WHERE source = 'patrol'").all() {
            existing[try r.decode(column: "identity", as: String.self)] = (
                try r.decode(column: "id", as: Int64.self), try r.decode(column: "state", as: String.self),
                try r.decode(column: "finding", as: String.self), try r.decode(column: "due_at", as: Int64?.self))
        }
        var lastSeq: [Int64: Int64] = [:]
        for r in try await db.raw("SELECT problem_id, MAX(seq) AS s FROM problem_events GROUP BY problem_id").all() {
            lastSeq[try r.decode(column: "problem_id", as: Int64.self)] = try r.decode(column: "s", as: Int64.self)
        }
        var nextId = try await db.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM problems").first()!.decode(column: "n", as: Int64.self)
        var summary = PatrolRunner.Summary()
        var seen = Set<String>()
        var events: [Event] = []
        var newRows: [[any Encodable & Sendable]] = []
        func event(_ id: Int64, _ action: String, _ from: String?, _ to: String, _ comment: String) {
            let seq = (lastSeq[id] ?? 0) + 1
            lastSeq[id] = seq
            events.append(Event(problemId: id, seq: seq, action: action, from: from, to: to, comment: comment))
        }
        for f in findings {
            let identity = f.identity
            seen.insert(identity)
            let facts = "[" + f.facts.map(JSON.string).joined(separator: ",") + "]"
            if let e = existing[identity] {
                summary.persisting += 1
                var state = e.state
                if e.state == ProblemState.recheck.rawValue {
                    state = ProblemState.warned.rawValue
                    event(e.id, "finding_reappeared", e.state, state, "巡查再次发现该问题（\(f.kind.label)）")
                } else if e.finding != f.kind.rawValue || e.due != f.dueAt?.seconds {
                    event(e.id, "finding_changed", e.state, e.state,
                          "发现结果由 \(FindingKind(rawValue: e.finding)?.label ?? e.finding) 变为 \(f.kind.label)"
                              + (f.dueAt.map { "，期限 \($0.cstMinuteString)" } ?? ""))
                }
                try await db.raw("""
                    UPDATE problems SET finding = \(bind: f.kind.rawValue), severity = \(bind: f.severity.rawValue),
                      due_at = \(bind: f.dueAt?.seconds), facts = \(bind: facts), explanation = \(bind: f.explanation),
                      unit_id = \(bind: f.unitId), officer_id = \(bind: f.officerId), case_id = \(bind: f.caseId),
                      rule_name = \(bind: f.ruleName), basis = \(bind: f.basis), last_seen_at = \(bind: at),
                      last_patrol_id = \(bind: runId), updated_at = \(bind: at), state = \(bind: state)
                    WHERE id = \(bind: e.id)
                    """).run()
            } else {
                summary.opened += 1
                let id = nextId
                nextId += 1
                newRows.append([id, identity, "patrol", f.ruleId, f.ruleName, f.subjectKind.rawValue,
                                f.subjectIds.joined(separator: ","), f.caseId, f.unitId, f.officerId, f.severity.rawValue,
                                f.kind.rawValue, f.dueAt?.seconds, facts, f.explanation, f.basis, ProblemState.warned.rawValue,
                                at, at, runId, at])
                event(id, "opened", nil, ProblemState.warned.rawValue, "日巡查发现：\(f.kind.label)")
            }
        }
        for (identity, e) in existing where !seen.contains(identity) {
            guard let rule = identity.split(separator: "|").first, rules.contains(String(rule)) else { continue }
            guard ProblemState(rawValue: e.state)?.isFollowedByPatrol ?? false else { continue }
            summary.gone += 1
            try await db.raw("UPDATE problems SET state = 'recheck', updated_at = \(bind: at), last_patrol_id = \(bind: runId) WHERE id = \(bind: e.id)").run()
            event(e.id, "finding_gone", e.state, ProblemState.recheck.rawValue, "巡查未再发现该问题（数据已更正），转入复核")
        }
        // New problems and all events in multi-row inserts.
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
        return summary
    }
}
