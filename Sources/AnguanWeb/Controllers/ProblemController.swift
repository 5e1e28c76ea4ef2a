import AnguanCore
import AnguanStore
import Foundation
import Hummingbird

/// 问题列表, 问题详情 and the loop's actions, as pages and as JSON under `/api/v1/problems`.
struct ProblemController {
    let services: WebServices

    /// Reads the list filter from query parameters; an unknown value is a 400 naming the parameter.
    static func filter(_ q: [String: String]) throws -> ProblemDesk.Filter {
        var f = ProblemDesk.Filter()
        func v(_ k: String) -> String? { q[k].flatMap { $0.isEmpty ? nil : $0 } }
        f.ruleId = v("rule")
        f.unitId = v("unit")
        f.officerId = v("officer")
        f.caseId = v("case")
        if let s = v("severity") {
            guard let x = Severity(rawValue: s) else { throw AppError.badRequest(field: "severity", reason: "“\(s)”不是严重程度（grave、major、minor、advisory）") }
            f.severity = x
        }
        if let s = v("state") {
            guard let x = ProblemState(rawValue: s) else { throw AppError.badRequest(field: "state", reason: "“\(s)”不是问题状态") }
            f.state = x
        }
        if let s = v("source") {
            guard let x = ProblemSource(rawValue: s) else { throw AppError.badRequest(field: "source", reason: "“\(s)”不是问题来源") }
            f.source = x
        }
        if let s = v("from") {
            guard let d = CivilDate.parse(s) else { throw AppError.badRequest(field: "from", reason: "“\(s)”不是日期（YYYY-MM-DD）") }
            f.from = d
        }
        if let s = v("to") {
            guard let d = CivilDate.parse(s) else { throw AppError.badRequest(field: "to", reason: "“\(s)”不是日期（YYYY-MM-DD）") }
            f.to = d
        }
        if let s = v("sort") {
            guard let x = ProblemDesk.Sort(rawValue: s) else { throw AppError.badRequest(field: "sort", reason: "“\(s)”不是排序方式") }
            f.sort = x
        }
        if let s = v("page") {
            guard let n = Int(s), n >= 1 else { throw AppError.badRequest(field: "page", reason: "页码须为正整数") }
            f.page = n
        }
        if let s = v("per_page") {
            guard let n = Int(s), (1...500).contains(n) else { throw AppError.badRequest(field: "per_page", reason: "每页条数须为 1–500") }
            f.perPage = n
        }
        f.escalatedOnly = v("escalated") == "1"
        f.openOnly = v("open") == "1"
        return f
    }

    static func query(_ request: Request) -> [String: String] {
        var q: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { q[String(k)] = String(v) }
        return q
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("/problems") { request, context -> Response in
            let actor = try context.require(.seeProblems)
            let q = Self.query(request)
            let f = try Self.filter(q)
            let page = try await services.desk.list(f, for: actor)
            let now = services.now()
            let units = try await Queries(store: services.store).units().filter { actor.scope.contains(unitId: $0.id) }
            let catalog = try await services.rules.catalog()
            func keep(_ extra: [String: String]) -> String {
                var p = q
                for (k, v) in extra { p[k] = v }
                return "/problems?" + p.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            }
            var data: [String: Any] = [
                "title": "问题列表", "total": page.total, "page": page.page, "pages": page.pages,
                "rows": Fmt.rowsHTML(page.items, now: now, language: context.language), "empty": page.items.isEmpty,
                "stateOptions": Fmt.options(ProblemState.allCases.map { ($0.rawValue, $0.label) }, selected: f.state?.rawValue, language: context.language),
                "severityOptions": Fmt.options(Severity.allCases.map { ($0.rawValue, $0.label) }, selected: f.severity?.rawValue, language: context.language),
                "sourceOptions": Fmt.options(ProblemSource.allCases.map { ($0.rawValue, $0.label) }, selected: f.source?.rawValue, language: context.language),
                "sortOptions": Fmt.options(ProblemDesk.Sort.allCases.map { ($0.rawValue, $0.label) }, selected: f.sort.rawValue, language: context.language),
                "unitOptions": Fmt.options(units.map { ($0.id, $0.name) }, selected: f.unitId),
                "ruleOptions": Fmt.options(catalog.rules.map { ($0.id, "\($0.id) \($0.name)") }, selected: f.ruleId),
                "officer": f.officerId ?? "", "from": f.from?.description ?? "", "to": f.to?.description ?? "",
                "openOnly": f.openOnly, "escalatedOnly": f.escalatedOnly,
                "csv": keep(["page": ""]).replacingOccurrences(of: "/problems?", with: "/problems.csv?"),
            ]
            if page.page > 1 { data["prev"] = keep(["page": String(page.page - 1)]) }
            if page.page < page.pages { data["next"] = keep(["page": String(page.page + 1)]) }
            if Permission.registerProblems.isGranted(to: actor.role) {
                data["canRegister"] = true
                // 分类推送 is offered once the list is narrowed to a rule or a unit.
                if f.ruleId != nil || f.unitId != nil {
                    data["canPush"] = true
                    data["pushFields"] = q.filter { !["page", "per_page", "sort", "state", "pushed"].contains($0.key) && !$0.value.isEmpty }
                        .sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] }
                }
            }
            if let n = q["pushed"] { data["pushed"] = n }
            return try services.templates.response("problems", data, context: context)
        }
        router.get("/problems.csv") { request, context -> Response in
            let actor = try context.require(.seeProblems)
            var f = try Self.filter(Self.query(request))
            f.perPage = 500
            f.page = 1
            var csv = "\u{FEFF}编号,来源,规则,规则名称,严重程度,状态,发现结果,单位,民警,案件,法定期限,整改期限,督办,首次发现\r\n"
            func cell(_ s: String) -> String {
                s.contains(where: { ",\"\r\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            while true {
                let page = try await services.desk.list(f, for: actor)
                for p in page.items {
                    csv += [String(p.id), p.source.label, p.ruleId, p.ruleName, p.severity.label, p.state.label,
                            FindingKind(rawValue: p.finding)?.label ?? p.finding, p.unitName ?? p.unitId ?? "", p.officerName ?? p.officerId ?? "",
                            p.caseId ?? "", Fmt.time(p.dueAt), Fmt.time(p.rectifyDueAt), p.escalationLabel ?? "",
                            Fmt.time(p.firstSeenAt)].map(cell).joined(separator: ",") + "\r\n"
                }
                if page.page >= page.pages || f.page >= 200 { break }
                f.page += 1
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                    .contentDisposition: "attachment; filename=\"problems.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        router.post("/problems/push") { request, context -> Response in
            let actor = try context.require(.registerProblems)
            let form = try await Form.read(request)
            var q: [String: String] = [:]
            for (k, v) in form.fields where k != "_csrf" { q[k] = v.first }
            let pushed = try await pushAll(actor, filter: try Self.filter(q), workdays: form["workdays"], comment: form["comment"])
            q["state"] = ProblemState.rectifying.rawValue
            q["workdays"] = nil
            q["comment"] = nil
            let back = q.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            return Response.redirect(to: "/problems?" + back + "&pushed=\(pushed.count)")
        }
        router.post("/api/v1/problems/push") { request, context -> JSONResponse in
            let actor = try context.require(.registerProblems)
            let body = try await request.jsonObject()
            var q: [String: String] = [:]
            for (k, v) in body where !["workdays", "comment"].contains(k) { q[k] = "\(v)" }
            let pushed = try await pushAll(actor, filter: try Self.filter(q), workdays: body.text("workdays"), comment: body["comment"] as? String)
            return JSONResponse(["pushed": pushed] as [String: Any])
        }
        router.get("/problems/new") { request, context -> Response in
            let actor = try context.require(.registerProblems)
            return try services.templates.response("problem_new", try await registerForm(actor, prefill: Self.query(request)), context: context)
        }
        router.post("/problems") { request, context -> Response in
            let actor = try context.require(.registerProblems)
            let form = try await Form.read(request)
            let id = try await register(actor, from: { form[$0] })
            return Response.redirect(to: "/problems/\(id)")
        }
        router.get("/problems/:id") { _, context -> Response in
            let actor = try context.require(.seeProblems)
            let id = try Self.id(context)
            guard let d = try await services.desk.detail(id, for: actor) else { throw LoopError.notFound("问题 \(id) ") }
            try await services.desk.markRead(id, by: actor, at: services.now())
            return try services.templates.response("problem", detailData(d, actor), context: context)
        }
        router.post("/problems/:id/transition") { request, context -> Response in
            let actor = try context.requireActor()
            let id = try Self.id(context)
            let form = try await Form.read(request)
            try await transition(id, actor, action: form["action"], comment: form["comment"], workdays: form["workdays"])
            return Response.redirect(to: "/problems/\(id)")
        }
        router.post("/problems/:id/comments") { request, context -> Response in
            let actor = try context.require(.seeProblems)
            let id = try Self.id(context)
            let form = try await Form.read(request)
            try await services.desk.comment(id, body: form["body"] ?? "", by: actor, at: services.now())
            return Response.redirect(to: "/problems/\(id)#comments")
        }

        // JSON API
        router.get("/api/v1/problems") { request, context -> JSONResponse in
            let actor = try context.require(.seeProblems)
            let page = try await services.desk.list(try Self.filter(Self.query(request)), for: actor)
            return JSONResponse(["total": page.total, "page": page.page, "perPage": page.perPage, "items": page.items.map(APIFormat.problem)] as [String: Any])
        }
        router.post("/api/v1/problems") { request, context -> JSONResponse in
            let actor = try context.require(.registerProblems)
            let body = try await request.jsonObject()
            let id = try await register(actor, from: { body.text($0) })
            guard let d = try await services.desk.detail(id, for: actor) else { throw LoopError.notFound("问题 \(id) ") }
            return JSONResponse(APIFormat.detail(d, actions: services.desk.availableActions(d.summary, for: actor)), status: .created)
        }
        router.get("/api/v1/problems/:id") { _, context -> JSONResponse in
            let actor = try context.require(.seeProblems)
            let id = try Self.id(context)
            guard let d = try await services.desk.detail(id, for: actor) else { throw LoopError.notFound("问题 \(id) ") }
            try await services.desk.markRead(id, by: actor, at: services.now())
            return JSONResponse(APIFormat.detail(d, actions: services.desk.availableActions(d.summary, for: actor)))
        }
        router.post("/api/v1/problems/:id/transitions") { request, context -> JSONResponse in
            let actor = try context.requireActor()
            let id = try Self.id(context)
            let body = try await request.jsonObject()
            let state = try await transition(id, actor, action: body["action"] as? String, comment: body["comment"] as? String,
                                             workdays: body.text("workdays"))
            return JSONResponse(["id": id, "state": state.rawValue, "stateLabel": state.label] as [String: Any])
        }
        router.post("/api/v1/problems/:id/comments") { request, context -> JSONResponse in
            let actor = try context.require(.seeProblems)
            let id = try Self.id(context)
            let body = try await request.jsonObject()
            try await services.desk.comment(id, body: body["body"] as? String ?? "", by: actor, at: services.now())
            return JSONResponse(["id": id, "ok": true] as [String: Any], status: .created)
        }
    }

    static func id(_ context: AppContext) throws -> Int64 {
        guard let s = context.parameters.get("id"), let id = Int64(s), id > 0 else {
            throw AppError.notFound("问题不存在")
        }
        return id
    }

    /// The rectification period a form or body gives, in working days (the range is checked by the desk).
    static func workdays(_ s: String?) throws -> Int? {
        guard let s else { return nil }
        guard let n = Int(s) else { throw AppError.badRequest(field: "workdays", reason: "整改期限须为工作日数") }
        return n
    }

    @discardableResult
    func transition(_ id: Int64, _ actor: Actor, action: String?, comment: String?, workdays: String?) async throws -> ProblemState {
        guard let a = action, let action = ProblemAction(rawValue: a), ![.findingGone, .findingReappeared, .escalate].contains(action) else {
            throw AppError.badRequest(field: "action", reason: "“\(action ?? "")”不是可执行的操作")
        }
        let state = try await services.desk.transition(id, .init(action: action, comment: comment, workdays: try Self.workdays(workdays)), by: actor,
                                                       at: services.now())
        services.changed()
        return state
    }

    /// 分类推送: every 属实 problem of the filter pushed for rectification.
    func pushAll(_ actor: Actor, filter: ProblemDesk.Filter, workdays: String?, comment: String?) async throws -> [Int64] {
        let days = try Self.workdays(workdays)
        guard filter.ruleId != nil || filter.unitId != nil else {
            throw AppError.badRequest(field: "rule", reason: "分类推送须按规则或单位筛选")
        }
        let ids = try await services.desk.pushAll(filter, workdays: days, comment: comment, by: actor, at: services.now())
        services.changed()
        return ids
    }

    func register(_ actor: Actor, from value: (String) -> String?) async throws -> Int64 {
        guard let s = value("source"), let source = ProblemSource(rawValue: s) else {
            throw AppError.badRequest(field: "source", reason: "须选择问题来源")
        }
        guard let sv = value("severity"), let severity = Severity(rawValue: sv) else {
            throw AppError.badRequest(field: "severity", reason: "须选择严重程度")
        }
        guard let unit = value("unit") else { throw AppError.badRequest(field: "unit", reason: "须选择责任单位") }
        let category = value("rule") ?? value("category") ?? ""
        let catalog = try await services.rules.catalog()
        let id = try await services.desk.register(
            .init(source: source, unitId: unit, officerId: value("officer"), caseId: value("case"), description: value("description") ?? "",
                  severity: severity, category: category),
            ruleName: catalog.rule(category)?.name, by: actor, at: services.now())
        services.changed()
        return id
    }

    func registerForm(_ actor: Actor, prefill: [String: String]) async throws -> [String: Any] {
        let units = try await Queries(store: services.store).unitCounts().filter { actor.scope.contains(unitId: $0.unitId) }
        let catalog = try await services.rules.catalog()
        return [
            "title": "登记问题",
            "sources": ProblemSource.manual.map { ["value": $0.rawValue, "label": $0.label, "selected": prefill["source"] == $0.rawValue] },
            "severities": Severity.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": (prefill["severity"] ?? "minor") == $0.rawValue] },
            "units": units.map { ["value": $0.unitId, "label": $0.name, "selected": prefill["unit"] == $0.unitId] },
            "rules": catalog.rules.map { ["value": $0.id, "label": "\($0.id) \($0.name)"] },
            "case": prefill["case"] ?? "", "officer": prefill["officer"] ?? "", "description": prefill["description"] ?? "",
        ]
    }

    func detailData(_ d: ProblemDesk.Detail, _ actor: Actor) -> [String: Any] {
        let now = services.now()
        let s = d.summary
        let actions = services.desk.availableActions(s, for: actor)
        var data: [String: Any] = Fmt.row(s, now: now)
        data["title"] = "问题 \(s.id)"
        data["explanation"] = d.explanation
        data["basis"] = d.basis
        data["facts"] = d.facts.map(Fmt.fact)
        data["subjectIds"] = d.subjectIds.joined(separator: "、")
        // Each record the finding is about, linked to its place on the case page.
        data["subjects"] = d.subjectIds.map { id -> [String: Any] in
            var o: [String: Any] = ["id": id]
            if let c = s.caseId { o["href"] = "/cases/\(c)#\(id)" }
            return o
        }
        data["subjectKind"] = d.subjectKind
        // Absent keys, not empty strings, so the page leaves the rows out.
        if let text = d.description, !text.isEmpty { data["description"] = text }
        if let due = s.dueAt { data["dueAt"] = Fmt.time(due) }
        if let due = s.rectifyDueAt { data["rectifyDueAt"] = Fmt.time(due) }
        data["events"] = d.events.map { e -> [String: Any] in
            ["at": e.at.cstMinuteString, "actor": e.actorName.map { "\($0)（\(e.actor)）" } ?? (e.actor == "patrol" ? "日巡查" : e.actor),
             "action": e.actionLabel, "from": e.from?.label ?? "", "to": e.to?.label ?? "", "comment": e.comment ?? "", "data": e.data ?? ""]
        }
        data["comments"] = d.comments.map { ["at": $0.at.cstMinuteString, "name": $0.name, "login": $0.login, "body": $0.body] }
        data["reads"] = d.reads.map { ["at": $0.at.cstMinuteString, "name": $0.name, "role": $0.role.label] }
        data["actions"] = actions.map { a -> [String: Any] in
            var o: [String: Any] = ["value": a.rawValue, "label": a.label]
            if [.dismiss, .answer, .sendBack].contains(a) { o["needsComment"] = true }
            if a == .push || a == .sendBack { o["needsDays"] = true }
            return o
        }
        data["canAct"] = !actions.isEmpty
        return data
    }
}

extension APIFormat {
    static func detail(_ d: ProblemDesk.Detail, actions: [ProblemAction]) -> [String: Any] {
        var o = problem(d.summary)
        o["facts"] = d.facts
        o["explanation"] = d.explanation
        o["basis"] = d.basis
        o["subjectKind"] = d.subjectKind
        o["subjectIds"] = d.subjectIds
        o["description"] = d.description
        o["events"] = d.events.map { e -> [String: Any] in
            var x: [String: Any] = ["seq": e.seq, "at": e.at.cstString, "actor": e.actor, "action": e.action]
            x["from"] = e.from?.rawValue
            x["to"] = e.to?.rawValue
            x["comment"] = e.comment
            x["data"] = e.data
            return x
        }
        o["comments"] = d.comments.map { ["seq": $0.seq, "at": $0.at.cstString, "login": $0.login, "body": $0.body] as [String: Any] }
        o["reads"] = d.reads.map { ["login": $0.login, "at": $0.at.cstString] }
        o["actions"] = actions.map(\.rawValue)
        return o
    }
}
