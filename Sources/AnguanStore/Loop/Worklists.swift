import AnguanCore
import SQLKit

/// The daily worklists of the 案审民警 and 法制员 (日巡查 done by people): every 违法犯罪类 incident
/// (刑事, 治安) and every coercive measure started within the review window that nobody has marked yet.
public struct Worklists: Sendable {
    public let store: Store
    /// How far back the lists reach (days); older items count as reviewed by the previous routine.
    public let windowDays: Int

    public init(store: Store, windowDays: Int = 7) {
        self.store = store
        self.windowDays = windowDays
    }

    public enum Kind: String, Sendable, CaseIterable {
        case incidents, measures
        public var label: String { self == .incidents ? "违法犯罪类警情" : "强制措施" }
    }

    public struct Item: Sendable {
        public let kind: Kind
        public let recordId: String
        public let at: Instant
        public let title: String
        public let detail: String
        public let caseId: String?
        public let caseCause: String?
        public let unitId: String?
        public let unitName: String?
    }

    func window(_ now: Instant) -> Int64 { now.seconds - Int64(windowDays) * 86_400 }

    static func scopeText(_ actor: Actor, column: String) -> SQLText {
        var q = SQLText("")
        if case .unit(let u) = actor.scope {
            q.append(" AND \(column) = ")
            q.bind(u)
        }
        return q
    }

    /// FROM and WHERE of a list's unreviewed items inside the actor's scope: the one definition the
    /// list and its count share.
    func unreviewedItems(_ kind: Kind, for actor: Actor, now: Instant) -> SQLText {
        // The list's tables, then the columns of its time, record id and unit.
        let from: String, time: String, id: String, unit: String
        switch kind {
        case .incidents:
            from = """
                FROM el_incidents i LEFT JOIN el_cases cs ON cs.case_id = i.case_id LEFT JOIN el_units u ON u.unit_id = i.unit_id
                WHERE i.category IN ('criminal', 'public_order') AND
                """
            (time, id, unit) = ("i.received_at", "i.incident_id", "i.unit_id")
        case .measures:
            from = """
                FROM el_measures m JOIN el_cases cs ON cs.case_id = m.case_id LEFT JOIN el_persons p ON p.person_id = m.person_id
                LEFT JOIN el_units u ON u.unit_id = cs.unit_id
                WHERE
                """
            (time, id, unit) = ("m.started_at", "m.measure_id", "cs.unit_id")
        }
        var q = SQLText(from)
        q.append(" \(time) >= ")
        q.bind(window(now))
        q.append(" AND \(time) <= ")
        q.bind(now.seconds)
        q.append(" AND NOT EXISTS (SELECT 1 FROM worklist_marks wm WHERE wm.kind = '\(kind.rawValue)' AND wm.record_id = \(id))")
        q.append(Self.scopeText(actor, column: unit))
        return q
    }

    /// The unreviewed items of one list, oldest first.
    public func items(_ kind: Kind, for actor: Actor, now: Instant, limit: Int = 200) async throws -> [Item] {
        var q: SQLText
        switch kind {
        case .incidents:
            q = SQLText("""
                SELECT i.incident_id AS rid, i.received_at AS at, i.category AS a, i.summary AS b, i.address AS c,
                  i.case_id AS case_id, cs.cause AS cause, i.unit_id AS unit_id, u.name AS unit_name
                """)
        case .measures:
            q = SQLText("""
                SELECT m.measure_id AS rid, m.started_at AS at, m.kind AS a, p.name AS b, m.ended_at AS c_end,
                  m.case_id AS case_id, cs.cause AS cause, cs.unit_id AS unit_id, u.name AS unit_name
                """)
        }
        q.append(" ")
        q.append(unreviewedItems(kind, for: actor, now: now))
        q.append(kind == .incidents ? " ORDER BY i.received_at, i.incident_id LIMIT " : " ORDER BY m.started_at, m.measure_id LIMIT ")
        q.bind(Int64(limit))
        let query = q.queryString
        return try await store.read { db in
            return try await db.raw(query).all().map { r in
                let at = Instant(seconds: try r.decode(column: "at", as: Int64.self))
                let title: String, detail: String
                switch kind {
                case .incidents:
                    let cat = try r.decode(column: "a", as: String.self)
                    title = (Enumerations.incidentCategory.label(of: cat) ?? cat) + "警情"
                    detail = [try r.decode(column: "c", as: String?.self), try r.decode(column: "b", as: String?.self)]
                        .compactMap { $0 }.joined(separator: " · ")
                case .measures:
                    let k = try r.decode(column: "a", as: String.self)
                    title = Enumerations.measureKind.label(of: k) ?? k
                    let ended = try r.decode(column: "c_end", as: Int64?.self)
                    detail = (try r.decode(column: "b", as: String?.self) ?? "")
                        + (ended.map { " · 解除/变更 " + Instant(seconds: $0).cstMinuteString } ?? " · 仍在执行")
                }
                return Item(kind: kind, recordId: try r.decode(column: "rid", as: String.self), at: at, title: title, detail: detail,
                            caseId: try r.decode(column: "case_id", as: String?.self), caseCause: try r.decode(column: "cause", as: String?.self),
                            unitId: try r.decode(column: "unit_id", as: String?.self), unitName: try r.decode(column: "unit_name", as: String?.self))
            }
        }
    }

    /// How many items of each list are still unreviewed.
    public func unreviewed(for actor: Actor, now: Instant) async throws -> [Kind: Int] {
        var out: [Kind: Int] = [:]
        for kind in Kind.allCases {
            var q = SQLText("SELECT COUNT(*) AS n ")
            q.append(unreviewedItems(kind, for: actor, now: now))
            out[kind] = Int(try await store.rows(q).first?.first??.int ?? 0)
        }
        return out
    }

    /// The unit of an item, for the scope check (nil when there is no such item).
    func unitOf(_ kind: Kind, _ id: String) async throws -> String?? {
        try await store.read { db in
            let r: (any SQLRow)? = switch kind {
            case .incidents: try await db.raw("SELECT unit_id FROM el_incidents WHERE incident_id = \(bind: id)").first()
            case .measures:
                try await db.raw("SELECT cs.unit_id FROM el_measures m JOIN el_cases cs ON cs.case_id = m.case_id WHERE m.measure_id = \(bind: id)").first()
            }
            guard let r else { return nil }
            return .some(try r.decode(column: "unit_id", as: String?.self))
        }
    }

    /// Marks an item 已查, or (with `problem`) as raised as that problem.
    public func mark(_ kind: Kind, _ id: String, by actor: Actor, at now: Instant, problem: Int64? = nil) async throws {
        guard Permission.reviewWorklists.isGranted(to: actor.role) else { throw LoopError.forbidden("\(actor.role.label)无权审查工作清单") }
        guard case .some(let unit) = try await unitOf(kind, id), actor.scope.contains(unitId: unit) else {
            throw LoopError.notFound("\(kind.label) \(id) ")
        }
        try await store.write { s in
            if try await s.sql.raw("SELECT 1 AS x FROM worklist_marks WHERE kind = \(bind: kind.rawValue) AND record_id = \(bind: id)").first() != nil {
                throw LoopError.conflict("\(kind.label) \(id) 已审查")
            }
            try await s.sql.raw("""
                INSERT INTO worklist_marks (kind, record_id, user_id, at, problem_id)
                VALUES (\(bind: kind.rawValue), \(bind: id), \(bind: actor.userId), \(bind: now.seconds), \(bind: problem))
                """).run()
            try await AuditLog.append(s, actor: actor.login, action: "worklist.mark", object: "\(kind.rawValue):\(id)",
                                      detail: problem.map { "raised problem \($0)" } ?? "reviewed", at: now)
        }
    }
}
