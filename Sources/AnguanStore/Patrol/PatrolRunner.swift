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
        var after: String?
        while true {
            let cases = try await reader.page(.cases, after: after, limit: 1000)
            if cases.isEmpty { break }
            after = cases.last!.id
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
            records += cases.count
            for c in cases { out += engine.evaluate(bundles[c.id]!, context: context) }
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

    func sync(_ findings: [Finding], rules: Set<String>) async throws -> PatrolRunner.Summary {
        let db = session.sql
        var existing: [String: (id: Int64, state: String, finding: String, due: Int64?)] = [:]
        for r in try await db.raw("SELECT id, identity, state, finding, due_at FROM problems WHERE source = 'patrol'").all() {
            existing[try r.decode(column: "identity", as: String.self)] = (
                try r.decode(column: "id", as: Int64.self), try r.decode(column: "state", as: String.self),
                try r.decode(column: "finding", as: String.self), try r.decode(column: "due_at", as: Int64?.self))
        }
        var nextId = try await db.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM problems").first()!.decode(column: "n", as: Int64.self)
        var summary = PatrolRunner.Summary()
        var seen = Set<String>()
        for f in findings {
            let identity = f.identity
            seen.insert(identity)
            let facts = "[" + f.facts.map(JSON.string).joined(separator: ",") + "]"
            if let e = existing[identity] {
                summary.persisting += 1
                try await db.raw("""
                    UPDATE problems SET finding = \(bind: f.kind.rawValue), severity = \(bind: f.severity.rawValue),
                      due_at = \(bind: f.dueAt?.seconds), facts = \(bind: facts), explanation = \(bind: f.explanation),
                      unit_id = \(bind: f.unitId), officer_id = \(bind: f.officerId), case_id = \(bind: f.caseId),
                      rule_name = \(bind: f.ruleName), basis = \(bind: f.basis), last_seen_at = \(bind: at),
                      last_patrol_id = \(bind: runId), updated_at = \(bind: at)
                    WHERE id = \(bind: e.id)
                    """).run()
                if e.state == ProblemState.recheck.rawValue {
                    try await event(e.id, action: "finding_reappeared", from: e.state, to: ProblemState.warned.rawValue,
                                    comment: "巡查再次发现该问题（\(f.kind.label)）")
                    try await db.raw("UPDATE problems SET state = 'warned' WHERE id = \(bind: e.id)").run()
                } else if e.finding != f.kind.rawValue || e.due != f.dueAt?.seconds {
                    try await event(e.id, action: "finding_changed", from: e.state, to: e.state,
                                    comment: "发现结果由 \(FindingKind(rawValue: e.finding)?.label ?? e.finding) 变为 \(f.kind.label)"
                                        + (f.dueAt.map { "，期限 \($0.cstMinuteString)" } ?? ""))
                }
            } else {
                summary.opened += 1
                let id = nextId
                nextId += 1
                try await db.raw("""
                    INSERT INTO problems (id, identity, source, rule_id, rule_name, subject_kind, subject_ids, case_id, unit_id,
                      officer_id, severity, finding, due_at, facts, explanation, basis, state, first_seen_at, last_seen_at,
                      last_patrol_id, updated_at)
                    VALUES (\(bind: id), \(bind: identity), 'patrol', \(bind: f.ruleId), \(bind: f.ruleName),
                      \(bind: f.subjectKind.rawValue), \(bind: f.subjectIds.joined(separator: ",")), \(bind: f.caseId),
                      \(bind: f.unitId), \(bind: f.officerId), \(bind: f.severity.rawValue), \(bind: f.kind.rawValue),
                      \(bind: f.dueAt?.seconds), \(bind: facts), \(bind: f.explanation), \(bind: f.basis), 'warned',
                      \(bind: at), \(bind: at), \(bind: runId), \(bind: at))
                    """).run()
                try await event(id, action: "opened", from: nil, to: ProblemState.warned.rawValue,
                                comment: "日巡查发现：\(f.kind.label)")
            }
        }
        for (identity, e) in existing where !seen.contains(identity) {
            guard let rule = identity.split(separator: "|").first, rules.contains(String(rule)) else { continue }
            guard ProblemState(rawValue: e.state)?.isFollowedByPatrol ?? false else { continue }
            summary.gone += 1
            try await db.raw("UPDATE problems SET state = 'recheck', updated_at = \(bind: at), last_patrol_id = \(bind: runId) WHERE id = \(bind: e.id)").run()
            try await event(e.id, action: "finding_gone", from: e.state, to: ProblemState.recheck.rawValue,
                            comment: "巡查未再发现该问题（数据已更正），转入复核")
        }
        return summary
    }

    func event(_ problemId: Int64, action: String, from: String?, to: String, comment: String) async throws {
        let db = session.sql
        let seq = try await db.raw("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM problem_events WHERE problem_id = \(bind: problemId)")
            .first()!.decode(column: "n", as: Int64.self)
        try await db.raw("""
            INSERT INTO problem_events (problem_id, seq, at, actor, action, from_state, to_state, comment)
            VALUES (\(bind: problemId), \(bind: seq), \(bind: at), 'patrol', \(bind: action), \(bind: from), \(bind: to), \(bind: comment))
            """).run()
    }
}
