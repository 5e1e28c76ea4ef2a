import AnguanCore
import Foundation
import SQLKit

/// The closed loop over stored problems: lists and details inside a user's scope, transitions through
/// `ProblemStateMachine`, comments, first views, problems registered by hand, escalation and the
/// dashboard figures. Every write is one transaction with its event and audit entry.
public struct ProblemDesk: Sendable {
    public let store: Store
    public let calendar: HolidayCalendar

    public init(store: Store, calendar: HolidayCalendar) {
        self.store = store
        self.calendar = calendar
    }

    // MARK: Reading

    public struct Filter: Sendable, Equatable {
        public var ruleId: String?
        public var unitId: String?
        public var officerId: String?
        public var caseId: String?
        public var severity: Severity?
        public var state: ProblemState?
        public var source: ProblemSource?
        /// First seen on or after this day (CST).
        public var from: CivilDate?
        /// First seen on or before this day (CST).
        public var to: CivilDate?
        public var escalatedOnly = false
        public var openOnly = false
        public var sort: Sort = .newest
        public var page = 1
        public var perPage = 50

        public init() {}
    }

    public enum Sort: String, Sendable, CaseIterable {
        case newest, oldest, due, severity, unit, rule

        var orderBy: String {
            switch self {
            case .newest: "p.first_seen_at DESC, p.id DESC"
            case .oldest: "p.first_seen_at, p.id"
            case .due: "COALESCE(p.rectify_due_at, p.due_at, 9223372036854775807), p.id"
            case .severity: "CASE p.severity WHEN 'grave' THEN 0 WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END, p.first_seen_at DESC, p.id DESC"
            case .unit: "p.unit_id, p.id"
            case .rule: "p.rule_id, p.id"
            }
        }

        public var label: String {
            switch self {
            case .newest: "最新发现"
            case .oldest: "最早发现"
            case .due: "期限最近"
            case .severity: "严重程度"
            case .unit: "单位"
            case .rule: "规则"
            }
        }
    }

    public struct Summary: Sendable, Equatable {
        public let id: Int64
        public let source: ProblemSource
        public let ruleId: String
        public let ruleName: String
        public let severity: Severity
        public let state: ProblemState
        public let finding: String
        public let unitId: String?
        public let unitName: String?
        public let officerId: String?
        public let officerName: String?
        public let caseId: String?
        public let dueAt: Instant?
        public let rectifyDueAt: Instant?
        public let escalation: Int
        public let firstSeenAt: Instant
        public let updatedAt: Instant
    }

    static let summaryColumns = """
        p.id, p.source, p.rule_id, p.rule_name, p.severity, p.state, p.finding, p.unit_id, un.name AS unit_name, p.officer_id,
        o.name AS officer_name, p.case_id, p.due_at, p.rectify_due_at, p.escalation, p.first_seen_at, p.updated_at
        """
    /// The SQL of `ProblemState.isOpen` on the problem aliased `p`.
    static let openCondition = "p.state NOT IN ('closed', 'false_positive')"

    /// How many columns `summaryColumns` selects (`summary(_:)` reads them by position).
    static let summaryColumnCount = 17
    static let summaryJoins = "LEFT JOIN el_units un ON un.unit_id = p.unit_id LEFT JOIN el_officers o ON o.officer_id = p.officer_id"

    /// The WHERE clause of a scope and filter (every value bound, never spliced).
    static func whereText(_ scope: Scope, _ f: Filter) -> SQLText {
        var q = SQLText("WHERE 1 = 1")
        if case .unit(let u) = scope {
            q.append(" AND p.unit_id = ")
            q.bind(u)
        }
        func eq(_ column: String, _ value: String?) {
            guard let value else { return }
            q.append(" AND \(column) = ")
            q.bind(value)
        }
        eq("p.rule_id", f.ruleId)
        eq("p.unit_id", f.unitId)
        eq("p.officer_id", f.officerId)
        eq("p.case_id", f.caseId)
        eq("p.severity", f.severity?.rawValue)
        eq("p.state", f.state?.rawValue)
        eq("p.source", f.source?.rawValue)
        if let from = f.from {
            q.append(" AND p.first_seen_at >= ")
            q.bind(Instant(cst: from).seconds)
        }
        if let to = f.to {
            q.append(" AND p.first_seen_at < ")
            q.bind(Instant(cst: to.adding(days: 1)).seconds)
        }
        if f.escalatedOnly { q.append(" AND p.escalation > 0") }
        if f.openOnly { q.append(" AND " + Self.openCondition) }
        return q
    }

    static func whereClause(_ scope: Scope, _ f: Filter) -> SQLQueryString { whereText(scope, f).queryString }

    /// A summary from a row of `summaryColumns`, by position.
    static func summary(_ v: [StoredValue?]) -> Summary {
        func t(_ i: Int) -> String? { v[i]?.text }
        func n(_ i: Int) -> Int64? { v[i]?.int }
        return Summary(id: n(0) ?? 0, source: ProblemSource(rawValue: t(1) ?? "") ?? .patrol, ruleId: t(2) ?? "", ruleName: t(3) ?? "",
                       severity: Severity(rawValue: t(4) ?? "") ?? .minor, state: ProblemState(rawValue: t(5) ?? "") ?? .warned,
                       finding: t(6) ?? "", unitId: t(7), unitName: t(8), officerId: t(9), officerName: t(10), caseId: t(11),
                       dueAt: n(12).map(Instant.init(seconds:)), rectifyDueAt: n(13).map(Instant.init(seconds:)),
                       escalation: Int(n(14) ?? 0), firstSeenAt: Instant(seconds: n(15) ?? 0), updatedAt: Instant(seconds: n(16) ?? 0))
    }

    /// Summaries of problems matching a WHERE clause, read by position.
    func summaries(where w: SQLText, extra: String = "", order: String, limit: Int, offset: Int = 0) async throws -> [Summary] {
        var q = SQLText("SELECT \(Self.summaryColumns) FROM problems p \(Self.summaryJoins) ")
        q.append(w)
        q.append(extra + " ORDER BY \(order) LIMIT ")
        q.bind(Int64(limit))
        q.append(" OFFSET ")
        q.bind(Int64(offset))
        return try await store.rows(q).map(Self.summary)
    }

    public struct Page: Sendable {
        public let items: [Summary]
        public let total: Int
        public let page: Int
        public let perPage: Int
        public var pages: Int { max(1, (total + perPage - 1) / perPage) }
    }

    /// One page of problems inside the actor's scope.
    public func list(_ f: Filter, for actor: Actor) async throws -> Page {
        guard Permission.seeProblems.isGranted(to: actor.role) else { return Page(items: [], total: 0, page: 1, perPage: f.perPage) }
        let perPage = min(max(f.perPage, 1), 500), page = max(f.page, 1)
        let w = Self.whereText(actor.scope, f)
        var count = SQLText("SELECT COUNT(*) AS n FROM problems p ")
        count.append(w)
        let total = Int(try await store.rows(count).first?.first??.int ?? 0)
        let items = try await summaries(where: w, order: f.sort.orderBy, limit: perPage, offset: (page - 1) * perPage)
        return Page(items: items, total: total, page: page, perPage: perPage)
    }

    public struct Event: Sendable {
        public let seq: Int64
        public let at: Instant
        public let actor: String
        public let actorName: String?
        public let action: String
        public let from: ProblemState?
        public let to: ProblemState?
        public let comment: String?
        public let data: String?

        public var actionLabel: String {
            if let a = ProblemAction(rawValue: action) { return a.label }
            return switch action {
            case "opened": "巡查发现"
            case "registered": "登记问题"
            case "finding_changed": "巡查结果变化"
            default: action
            }
        }
    }

    public struct Comment: Sendable {
        public let seq: Int64
        public let at: Instant
        public let login: String
        public let name: String
        public let body: String
    }

    public struct Read: Sendable {
        public let login: String
        public let name: String
        public let role: Role
        public let at: Instant
    }

    public struct Detail: Sendable {
        public let summary: Summary
        public let identity: String
        public let subjectKind: String
        public let subjectIds: [String]
        public let facts: [String]
        public let explanation: String
        public let basis: String
        public let category: String?
        public let description: String?
        public let createdBy: String?
        public let events: [Event]
        public let comments: [Comment]
        public let reads: [Read]
    }

    /// A problem with its history, or nil when it does not exist or is outside the actor's scope.
    public func detail(_ id: Int64, for actor: Actor) async throws -> Detail? {
        guard Permission.seeProblems.isGranted(to: actor.role) else { return nil }
        // The summary's columns first, read by position like the lists, then the finding's own.
        var q = SQLText("""
            SELECT \(Self.summaryColumns), p.identity, p.subject_kind, p.subject_ids, p.facts, p.explanation, p.basis,
            p.category, p.description, p.created_by FROM problems p \(Self.summaryJoins)
            """)
        q.append(" ")
        q.append(Self.whereText(actor.scope, Filter()))
        q.append(" AND p.id = ")
        q.bind(id)
        guard let r = try await store.rows(q).first else { return nil }
        let summary = Self.summary(r)
        let extra = r[Self.summaryColumnCount...].map { $0?.text }
        return try await store.read { db in
            let events = try await db.raw("""
                SELECT e.seq, e.at, e.actor, u.name AS actor_name, e.action, e.from_state, e.to_state, e.comment, e.data
                FROM problem_events e LEFT JOIN users u ON u.login = e.actor WHERE e.problem_id = \(bind: id) ORDER BY e.seq
                """).all().map { e in
                Event(seq: try e.decode(column: "seq", as: Int64.self), at: Instant(seconds: try e.decode(column: "at", as: Int64.self)),
                      actor: try e.decode(column: "actor", as: String.self), actorName: try e.decode(column: "actor_name", as: String?.self),
                      action: try e.decode(column: "action", as: String.self),
                      from: try e.decode(column: "from_state", as: String?.self).flatMap(ProblemState.init(rawValue:)),
                      to: try e.decode(column: "to_state", as: String?.self).flatMap(ProblemState.init(rawValue:)),
                      comment: try e.decode(column: "comment", as: String?.self), data: try e.decode(column: "data", as: String?.self))
            }
            let comments = try await db.raw("""
                SELECT c.seq, c.at, u.login, u.name, c.body FROM problem_comments c JOIN users u ON u.id = c.user_id
                WHERE c.problem_id = \(bind: id) ORDER BY c.seq
                """).all().map { c in
                Comment(seq: try c.decode(column: "seq", as: Int64.self), at: Instant(seconds: try c.decode(column: "at", as: Int64.self)),
                        login: try c.decode(column: "login", as: String.self), name: try c.decode(column: "name", as: String.self),
                        body: try c.decode(column: "body", as: String.self))
            }
            let reads = try await db.raw("""
                SELECT u.login, u.name, u.role, r.first_at FROM problem_reads r JOIN users u ON u.id = r.user_id
                WHERE r.problem_id = \(bind: id) ORDER BY r.first_at
                """).all().map { x in
                Read(login: try x.decode(column: "login", as: String.self), name: try x.decode(column: "name", as: String.self),
                     role: Role(rawValue: try x.decode(column: "role", as: String.self)) ?? .officer,
                     at: Instant(seconds: try x.decode(column: "first_at", as: Int64.self)))
            }
            return Detail(summary: summary, identity: extra[0] ?? "", subjectKind: extra[1] ?? "",
                          subjectIds: (extra[2] ?? "").split(separator: ",").map(String.init),
                          facts: JSONStrings.decodeArray(extra[3] ?? "[]"), explanation: extra[4] ?? "", basis: extra[5] ?? "",
                          category: extra[6], description: extra[7], createdBy: extra[8],
                          events: events, comments: comments, reads: reads)
        }
    }

    /// The actions the actor may take on a problem now (what the page offers).
    public func availableActions(_ s: Summary, for actor: Actor) -> [ProblemAction] {
        guard actor.mayAct(onProblemOf: s.unitId, officerId: s.officerId) else { return [] }
        return [.verify, .confirm, .dismiss, .push, .answer, .review, .close, .sendBack].filter { a in
            // Probe the state machine with what the form will supply.
            if case .success = ProblemStateMachine.transition(from: s.state, action: a, by: actor.role, comment: "x",
                                                              deadline: Instant(seconds: 0)) { return true }
            return false
        }
    }

    // MARK: Writing

    /// Records the actor's first view of a problem (已读); later views change nothing.
    public func markRead(_ id: Int64, by actor: Actor, at: Instant) async throws {
        try await store.write { s in
            if try await s.sql.raw("SELECT 1 AS x FROM problem_reads WHERE problem_id = \(bind: id) AND user_id = \(bind: actor.userId)").first() != nil {
                return
            }
            try await s.sql.raw("""
                INSERT INTO problem_reads (problem_id, user_id, first_at) VALUES (\(bind: id), \(bind: actor.userId), \(bind: at.seconds))
                """).run()
        }
    }

    public struct TransitionRequest: Sendable {
        public var action: ProblemAction
        public var comment: String?
        /// Rectification period in working days for 推送整改 (default 3).
        public var workdays: Int?
        public init(action: ProblemAction, comment: String? = nil, workdays: Int? = nil) {
            self.action = action
            self.comment = comment
            self.workdays = workdays
        }
    }

    /// Applies one transition: scope and responsibility checked, the state machine consulted, the new
    /// state, its event (who, when, comment, before/after) and an audit entry written together.
    @discardableResult
    public func transition(_ id: Int64, _ req: TransitionRequest, by actor: Actor, at now: Instant) async throws -> ProblemState {
        let comment = req.comment?.trimmingSpaces
        if let comment, comment.count > 2000 { throw LoopError.invalid(field: "comment", reason: "说明不能超过 2000 字") }
        // 推送整改 and 退回整改 both start a rectification period from now, counted the same way; a year
        // the calendar does not cover refuses either rather than guessing a deadline.
        var deadline: Instant?
        if req.action == .push || req.action == .sendBack {
            let days = req.workdays ?? Rectification.defaultWorkdays
            guard (1...60).contains(days) else { throw LoopError.invalid(field: "workdays", reason: "整改期限须为 1–60 个工作日") }
            switch Rectification.deadline(pushedAt: now, workdays: days, calendar: calendar) {
            case .success(let d): deadline = d
            case .failure(let u): throw LoopError.invalid(field: "workdays", reason: "节假日历未覆盖 \(u.year) 年，无法计算整改期限")
            }
        }
        return try await store.write { [deadline] s in
            let db = s.sql
            try await s.serializeProblemWrites()
            guard let r = try await db.raw("""
                SELECT state, unit_id, officer_id, rectify_due_at FROM problems WHERE id = \(bind: id)
                """).first() else { throw LoopError.notFound("问题 \(id) ") }
            let unitId = try r.decode(column: "unit_id", as: String?.self)
            guard actor.scope.contains(unitId: unitId), Permission.seeProblems.isGranted(to: actor.role) else {
                throw LoopError.notFound("问题 \(id) ")
            }
            let state = ProblemState(rawValue: try r.decode(column: "state", as: String.self)) ?? .warned
            guard actor.mayAct(onProblemOf: unitId, officerId: try r.decode(column: "officer_id", as: String?.self)) else {
                throw LoopError.refused(.notForRole(req.action, actor.role))
            }
            let next: ProblemState
            switch ProblemStateMachine.transition(from: state, action: req.action, by: actor.role, comment: comment, deadline: deadline) {
            case .success(let s): next = s
            case .failure(let refusal): throw LoopError.refused(refusal)
            }
            var data = "state=\(state.rawValue)->\(next.rawValue)"
            if let deadline {
                let before = try r.decode(column: "rectify_due_at", as: Int64?.self).map { Instant(seconds: $0).cstMinuteString } ?? "无"
                data += "; rectify_due_at=\(before)->\(deadline.cstMinuteString)"
                try await db.raw("""
                    UPDATE problems SET state = \(bind: next.rawValue), rectify_due_at = \(bind: deadline.seconds), escalation = 0,
                    gone_by_patrol = 0, updated_at = \(bind: now.seconds) WHERE id = \(bind: id)
                    """).run()
            } else {
                try await db.raw("""
                    UPDATE problems SET state = \(bind: next.rawValue), gone_by_patrol = 0, updated_at = \(bind: now.seconds) WHERE id = \(bind: id)
                    """).run()
            }
            try await Self.appendEvent(db, problem: id, at: now, actor: actor.login, action: req.action.rawValue, from: state,
                                       to: next, comment: comment, data: data)
            try await AuditLog.append(s, actor: actor.login, action: "problem.\(req.action.rawValue)", object: "problem:\(id)",
                                      detail: data + (comment.map { "; comment=\($0)" } ?? ""), at: now)
            return next
        }
    }

    /// 分类推送: pushes every 属实 problem matching a filter (a rule, a unit, …) for rectification at once,
    /// each as its own transition with its own event and audit entry. Returns the ids pushed.
    public func pushAll(_ filter: Filter, workdays: Int?, comment: String?, by actor: Actor, at now: Instant) async throws -> [Int64] {
        var f = filter
        f.state = .confirmed
        f.perPage = 500
        f.page = 1
        var ids: [Int64] = []
        while true {
            let page = try await list(f, for: actor)
            ids += page.items.filter { actor.mayAct(onProblemOf: $0.unitId, officerId: $0.officerId) }.map(\.id)
            if page.page >= page.pages { break }
            f.page += 1
        }
        for id in ids {
            try await transition(id, .init(action: .push, comment: comment, workdays: workdays), by: actor, at: now)
        }
        return ids
    }

    static func appendEvent(_ db: any SQLDatabase, problem id: Int64, at: Instant, actor: String, action: String,
                            from: ProblemState?, to: ProblemState, comment: String?, data: String?) async throws {
        let seq = try await db.raw("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM problem_events WHERE problem_id = \(bind: id)")
            .first()!.decode(column: "s", as: Int64.self)
        try await db.raw("""
            INSERT INTO problem_events (problem_id, seq, at, actor, action, from_state, to_state, comment, data)
            VALUES (\(bind: id), \(bind: seq), \(bind: at.seconds), \(bind: actor), \(bind: action), \(bind: from?.rawValue),
                    \(bind: to.rawValue), \(bind: comment), \(bind: data))
            """).run()
    }

    /// Adds a comment to a problem's thread (核查会商). Anyone who may see the problem may comment.
    public func comment(_ id: Int64, body: String, by actor: Actor, at now: Instant) async throws {
        let body = body.trimmingSpaces
        if body.isEmpty { throw LoopError.invalid(field: "body", reason: "意见不能为空") }
        if body.count > 2000 { throw LoopError.invalid(field: "body", reason: "意见不能超过 2000 字") }
        guard try await detailExists(id, actor) else { throw LoopError.notFound("问题 \(id) ") }
        try await store.write { s in
            try await s.serializeProblemWrites()
            let seq = try await s.sql.raw("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM problem_comments WHERE problem_id = \(bind: id)")
                .first()!.decode(column: "s", as: Int64.self)
            try await s.sql.raw("""
                INSERT INTO problem_comments (problem_id, seq, at, user_id, body)
                VALUES (\(bind: id), \(bind: seq), \(bind: now.seconds), \(bind: actor.userId), \(bind: body))
                """).run()
            try await AuditLog.append(s, actor: actor.login, action: "problem.comment", object: "problem:\(id)", detail: body, at: now)
        }
    }

    func detailExists(_ id: Int64, _ actor: Actor) async throws -> Bool {
        guard Permission.seeProblems.isGranted(to: actor.role) else { return false }
        return try await store.read { db in
            guard let r = try await db.raw("SELECT unit_id FROM problems WHERE id = \(bind: id)").first() else { return false }
            return actor.scope.contains(unitId: try r.decode(column: "unit_id", as: String?.self))
        }
    }

    /// A problem found elsewhere (问题汇聚), registered by hand.
    public struct Registration: Sendable {
        public var source: ProblemSource
        public var unitId: String
        public var officerId: String?
        public var caseId: String?
        public var description: String
        public var severity: Severity
        /// A rule id of the catalog, or a free category.
        public var category: String
        public init(source: ProblemSource, unitId: String, officerId: String? = nil, caseId: String? = nil, description: String,
                    severity: Severity, category: String) {
            self.source = source
            self.unitId = unitId
            self.officerId = officerId
            self.caseId = caseId
            self.description = description
            self.severity = severity
            self.category = category
        }
    }

    /// Registers a problem; it starts at 预警 and runs through the same loop. `ruleName` is the catalog
    /// rule's name when `category` is a rule id.
    public func register(_ reg: Registration, ruleName: String?, by actor: Actor, at now: Instant) async throws -> Int64 {
        guard Permission.registerProblems.isGranted(to: actor.role) else { throw LoopError.forbidden("\(actor.role.label)无权登记问题") }
        guard reg.source != .patrol else { throw LoopError.invalid(field: "source", reason: "日巡查问题由巡查自动发现") }
        let description = reg.description.trimmingSpaces, category = reg.category.trimmingSpaces
        if description.isEmpty { throw LoopError.invalid(field: "description", reason: "问题描述不能为空") }
        if description.count > 4000 { throw LoopError.invalid(field: "description", reason: "问题描述不能超过 4000 字") }
        if category.isEmpty { throw LoopError.invalid(field: "category", reason: "须选择规则或填写问题类别") }
        guard actor.scope.contains(unitId: reg.unitId) else { throw LoopError.invalid(field: "unit", reason: "单位 \(reg.unitId) 不在本人范围内") }
        return try await store.write { s in
            let db = s.sql
            try await s.serializeProblemWrites()
            if try await db.raw("SELECT 1 AS x FROM el_units WHERE unit_id = \(bind: reg.unitId)").first() == nil {
                throw LoopError.invalid(field: "unit", reason: "单位 \(reg.unitId) 不存在")
            }
            if let o = reg.officerId, try await db.raw("SELECT 1 AS x FROM el_officers WHERE officer_id = \(bind: o)").first() == nil {
                throw LoopError.invalid(field: "officer", reason: "警号 \(o) 不存在")
            }
            if let c = reg.caseId, try await db.raw("SELECT 1 AS x FROM el_cases WHERE case_id = \(bind: c)").first() == nil {
                throw LoopError.invalid(field: "case", reason: "案件 \(c) 不存在")
            }
            let id = try await db.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM problems").first()!.decode(column: "n", as: Int64.self)
            let subjectKind = reg.caseId == nil ? "unit" : "case"
            let subject = reg.caseId ?? reg.unitId
            let facts = "[" + ["来源：\(reg.source.label)", "登记人：\(actor.name)（\(actor.login)）"].map(JSON.string).joined(separator: ",") + "]"
            try await db.raw("""
                INSERT INTO problems (id, identity, source, rule_id, rule_name, subject_kind, subject_ids, case_id, unit_id, officer_id,
                  severity, finding, due_at, facts, explanation, basis, state, first_seen_at, last_seen_at, last_patrol_id, updated_at,
                  category, description, created_by)
                VALUES (\(bind: id), \(bind: "manual:\(id)"), \(bind: reg.source.rawValue), \(bind: category), \(bind: ruleName ?? category),
                  \(bind: subjectKind), \(bind: subject), \(bind: reg.caseId), \(bind: reg.unitId), \(bind: reg.officerId),
                  \(bind: reg.severity.rawValue), 'breach', NULL, \(bind: facts), \(bind: description), '', 'warned',
                  \(bind: now.seconds), \(bind: now.seconds), NULL, \(bind: now.seconds),
                  \(bind: category), \(bind: description), \(bind: actor.login))
                """).run()
            try await Self.appendEvent(db, problem: id, at: now, actor: actor.login, action: "registered", from: nil, to: .warned,
                                       comment: "\(reg.source.label)：\(description)", data: nil)
            try await AuditLog.append(s, actor: actor.login, action: "problem.register", object: "problem:\(id)",
                                      detail: "source=\(reg.source.rawValue) unit=\(reg.unitId) category=\(category) severity=\(reg.severity.rawValue)",
                                      at: now)
            return id
        }
    }

    /// Escalates overdue rectifications (督办): once the deadline passes to the unit head, later to the
    /// branch leader. Returns how many problems were escalated.
    @discardableResult
    public func escalate(now: Instant) async throws -> Int {
        try await store.write { s in
            let db = s.sql
            try await s.serializeProblemWrites()
            let rows = try await db.raw("""
                SELECT id, rectify_due_at, escalation FROM problems
                WHERE state = 'rectifying' AND rectify_due_at IS NOT NULL AND rectify_due_at <= \(bind: now.seconds)
                """).all()
            var n = 0
            for r in rows {
                let id = try r.decode(column: "id", as: Int64.self)
                let due = Instant(seconds: try r.decode(column: "rectify_due_at", as: Int64.self))
                let level = Rectification.escalation(due: due, now: now, calendar: calendar)
                guard level > Int(try r.decode(column: "escalation", as: Int64.self)) else { continue }
                try await db.raw("UPDATE problems SET escalation = \(bind: level), updated_at = \(bind: now.seconds) WHERE id = \(bind: id)").run()
                let label = Rectification.escalationLabel(level) ?? "督办"
                try await Self.appendEvent(db, problem: id, at: now, actor: "patrol", action: ProblemAction.escalate.rawValue,
                                           from: .rectifying, to: .rectifying,
                                           comment: "整改期限 \(due.cstMinuteString) 已过，\(label)", data: "escalation=\(level)")
                try await AuditLog.append(s, actor: "patrol", action: "problem.escalate", object: "problem:\(id)",
                                          detail: "escalation=\(level)", at: now)
                n += 1
            }
            return n
        }
    }
}

extension ProblemDesk.Summary {
    /// The deadline that counts now: the rectification deadline once pushed, the legal one before.
    public var currentDue: Instant? { rectifyDueAt ?? dueAt }

    /// Open and past the deadline that counts now.
    public func isOverdue(at now: Instant) -> Bool { state.isOpen && (currentDue.map { $0 < now } ?? false) }

    /// 督办（所队长） or 督办（分局领导） while the rectification is overdue, else nil.
    public var escalationLabel: String? { state == .rectifying ? Rectification.escalationLabel(escalation) : nil }
}

/// Reading the JSON string arrays the problems table stores its facts in.
enum JSONStrings {
    static func decodeArray(_ s: String) -> [String] {
        guard let data = s.data(using: .utf8), let a = try? JSONDecoder().decode([String].self, from: data) else { return [s] }
        return a
    }
}
