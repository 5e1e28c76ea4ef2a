import AnguanCore
import SQLKit

/// The figures of the 工作台: problems by state, severity and unit, what falls due today and this
/// week, the 督办 items, all inside the user's scope.
public struct Dashboard: Sendable {
    public struct UnitLine: Sendable {
        public let unitId: String
        public let unitName: String
        public let open: Int
        public let grave: Int
        public let escalated: Int
    }

    public let byState: [(ProblemState, Int)]
    public let bySeverity: [(Severity, Int)]
    public let byUnit: [UnitLine]
    public let dueToday: [ProblemDesk.Summary]
    public let dueThisWeek: Int
    public let escalated: [ProblemDesk.Summary]
    public let mine: [ProblemDesk.Summary]

    public var open: Int { byState.filter { $0.0.isOpen }.reduce(0) { $0 + $1.1 } }

    /// Reads the dashboard of an actor as of `now`.
    public static func load(_ desk: ProblemDesk, for actor: Actor, now: Instant) async throws -> Dashboard {
        var f = ProblemDesk.Filter()
        f.perPage = 1
        let wText = ProblemDesk.whereText(actor.scope, f)
        let w = wText.queryString
        let today = Instant(cst: now.cstDate), tomorrow = Instant(cst: now.cstDate.adding(days: 1))
        let weekEnd = Instant(cst: now.cstDate.adding(days: 7))
        let open = " AND " + ProblemDesk.openCondition
        let due = "COALESCE(p.rectify_due_at, p.due_at)"
        return try await desk.store.read { db in
            var q = SQLQueryString("SELECT p.state, COUNT(*) AS n FROM problems p ")
            q.appendInterpolation(w)
            q.appendLiteral(" GROUP BY p.state")
            var states: [ProblemState: Int] = [:]
            for r in try await db.raw(q).all() {
                if let s = ProblemState(rawValue: try r.decode(column: "state", as: String.self)) { states[s] = try r.decode(column: "n", as: Int.self) }
            }
            q = SQLQueryString("SELECT p.severity, COUNT(*) AS n FROM problems p ")
            q.appendInterpolation(w)
            q.appendLiteral(open + " GROUP BY p.severity")
            var sev: [Severity: Int] = [:]
            for r in try await db.raw(q).all() {
                if let s = Severity(rawValue: try r.decode(column: "severity", as: String.self)) { sev[s] = try r.decode(column: "n", as: Int.self) }
            }
            q = SQLQueryString("""
                SELECT p.unit_id, MAX(un.name) AS unit_name, COUNT(*) AS n,
                  SUM(CASE WHEN p.severity = 'grave' THEN 1 ELSE 0 END) AS grave,
                  SUM(CASE WHEN p.escalation > 0 AND p.state = 'rectifying' THEN 1 ELSE 0 END) AS esc
                FROM problems p LEFT JOIN el_units un ON un.unit_id = p.unit_id
                """)
            q.appendLiteral(" ")
            q.appendInterpolation(w)
            q.appendLiteral(open + " GROUP BY p.unit_id ORDER BY n DESC, p.unit_id")
            let units = try await db.raw(q).all().map { r in
                UnitLine(unitId: try r.decode(column: "unit_id", as: String?.self) ?? "", unitName: try r.decode(column: "unit_name", as: String?.self) ?? "（未指定单位）",
                         open: try r.decode(column: "n", as: Int.self), grave: try r.decode(column: "grave", as: Int.self),
                         escalated: try r.decode(column: "esc", as: Int.self))
            }
            var todayClause = SQLText(open + " AND \(due) >= ")
            todayClause.bind(today.seconds)
            todayClause.append(" AND \(due) < ")
            todayClause.bind(tomorrow.seconds)
            var w2 = wText
            w2.append(todayClause)
            let dueToday = try await desk.summaries(where: w2, order: "\(due), p.id", limit: 20)
            var c = SQLQueryString("SELECT COUNT(*) AS n FROM problems p ")
            c.appendInterpolation(w)
            c.appendLiteral(open + " AND \(due) >= ")
            c.appendInterpolation(bind: today.seconds)
            c.appendLiteral(" AND \(due) < ")
            c.appendInterpolation(bind: weekEnd.seconds)
            let week = try await db.raw(c).first()!.decode(column: "n", as: Int.self)
            let escalated = try await desk.summaries(where: wText, extra: open + " AND p.escalation > 0 AND p.state = 'rectifying'",
                                                     order: "p.escalation DESC, p.rectify_due_at, p.id", limit: 20)
            var mine: [ProblemDesk.Summary] = []
            if actor.role == .officer, let o = actor.officerId {
                var mineClause = wText
                mineClause.append(open + " AND p.officer_id = ")
                mineClause.bind(o)
                mine = try await desk.summaries(where: mineClause, order: "p.first_seen_at DESC", limit: 20)
            }
            return Dashboard(byState: ProblemState.allCases.map { ($0, states[$0] ?? 0) },
                             bySeverity: Severity.allCases.map { ($0, sev[$0] ?? 0) }, byUnit: units, dueToday: dueToday,
                             dueThisWeek: week, escalated: escalated, mine: mine)
        }
    }
}
