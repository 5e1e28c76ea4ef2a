import AnguanCore
import AnguanStore
import Hummingbird

/// 工作台: problems by state, severity and unit, what falls due today and this week, the 督办 items,
/// the daily worklists still to review; for a unit head or officer, their unit only.
struct DashboardController {
    let services: WebServices

    func load(_ actor: Actor) async throws -> (Dashboard, [Worklists.Kind: Int]) {
        let now = services.now()
        let key = "\(actor.scope)|\(actor.role.rawValue)|\(actor.officerId ?? "")"
        let board = try await services.dashboardCache.value(key) { try await Dashboard.load(services.desk, for: actor, now: now) }
        var pending: [Worklists.Kind: Int] = [:]
        if Permission.reviewWorklists.isGranted(to: actor.role) {
            pending = try await services.worklistCache.value(key) { try await services.worklists.unreviewed(for: actor, now: now) }
        }
        return (board, pending)
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("/") { _, context -> Response in
            let actor = try context.requireActor()
            guard Permission.seeProblems.isGranted(to: actor.role) else { return Response.redirect(to: "/cases") }
            let (b, pending) = try await load(actor)
            let now = services.now()
            var data: [String: Any] = [
                "title": "工作台", "now": now.cstMinuteString, "open": b.open, "dueThisWeek": b.dueThisWeek,
                "scope": try await Self.scopeLabel(actor, services),
                "states": b.byState.map { ["label": $0.0.label, "n": $0.1, "href": "/problems?state=\($0.0.rawValue)", "cls": Fmt.stateClass($0.0)] },
                "severities": b.bySeverity.map { ["label": $0.0.label, "n": $0.1, "href": "/problems?severity=\($0.0.rawValue)&open=1", "cls": Fmt.severityClass($0.0)] },
                "units": b.byUnit.map { ["unitId": $0.unitId, "name": $0.unitName, "open": $0.open, "grave": $0.grave, "escalated": $0.escalated] },
                "dueToday": b.dueToday.map { Fmt.row($0, now: now) },
                "escalated": b.escalated.map { Fmt.row($0, now: now) },
                "mine": b.mine.map { Fmt.row($0, now: now) },
            ]
            if actor.scope == .branch { data["branch"] = true }
            if !pending.isEmpty {
                data["worklists"] = Worklists.Kind.allCases.map { ["label": $0.label, "n": pending[$0] ?? 0, "href": "/worklists#\($0.rawValue)"] }
            }
            return try services.templates.response("dashboard", data, context: context)
        }
        router.get("/api/v1/dashboard") { _, context -> JSONResponse in
            let actor = try context.require(.seeProblems)
            let (b, pending) = try await load(actor)
            let now = services.now()
            return JSONResponse([
                "asOf": now.cstString, "open": b.open, "dueThisWeek": b.dueThisWeek,
                "byState": Dictionary(uniqueKeysWithValues: b.byState.map { ($0.0.rawValue, $0.1) }),
                "bySeverity": Dictionary(uniqueKeysWithValues: b.bySeverity.map { ($0.0.rawValue, $0.1) }),
                "byUnit": b.byUnit.map { ["unitId": $0.unitId, "name": $0.unitName, "open": $0.open, "grave": $0.grave, "escalated": $0.escalated] },
                "dueToday": b.dueToday.map(APIFormat.problem), "escalated": b.escalated.map(APIFormat.problem),
                "worklistsUnreviewed": Dictionary(uniqueKeysWithValues: pending.map { ($0.key.rawValue, $0.value) }),
            ] as [String: Any])
        }
    }

    static func scopeLabel(_ a: Actor, _ services: WebServices) async throws -> String {
        switch a.scope {
        case .branch: return "全局（分局）"
        case .unit(let u):
            let name = try await Queries(store: services.store).units().first { $0.id == u }?.name ?? u
            return name
        }
    }
}

/// The JSON forms of the API.
enum APIFormat {
    static func problem(_ p: ProblemDesk.Summary) -> [String: Any] {
        var o: [String: Any] = [
            "id": p.id, "source": p.source.rawValue, "ruleId": p.ruleId, "ruleName": p.ruleName, "severity": p.severity.rawValue,
            "state": p.state.rawValue, "stateLabel": p.state.label, "finding": p.finding, "escalation": p.escalation,
            "firstSeenAt": p.firstSeenAt.cstString, "updatedAt": p.updatedAt.cstString,
        ]
        o["unitId"] = p.unitId
        o["unitName"] = p.unitName
        o["officerId"] = p.officerId
        o["caseId"] = p.caseId
        o["dueAt"] = p.dueAt?.cstString
        o["rectifyDueAt"] = p.rectifyDueAt?.cstString
        return o
    }
}
