import AnguanCore
import AnguanStore
import Foundation
import Hummingbird

/// 案件: the case list, and one case on one timeline with its persons and their measures (live
/// clocks for open custody and summons), transcripts, property, venue visits, appraisals,
/// coordination pushes and its problems.
struct CaseController {
    let services: WebServices

    /// Measures that hold a person, whose open clock the page shows.
    static let clocked: Set<String> = ["summons", "compelled", "detention", "admin_summons", "admin_detention", "questioning_hold",
                                       "arrest", "designated_surveillance"]

    /// The case's problems inside the actor's scope.
    func problems(of caseId: String, for actor: Actor) async throws -> [ProblemDesk.Summary] {
        var f = ProblemDesk.Filter()
        f.caseId = caseId
        f.perPage = 200
        return try await services.desk.list(f, for: actor).items
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("/cases") { request, context -> Response in
            let actor = try context.requireActor()
            let q = request.uri.queryParameters.get("q")
            let page = max(1, Int(request.uri.queryParameters.get("page") ?? "1") ?? 1)
            let (rows, total) = try await services.cases.list(for: actor, query: q, page: page)
            var data: [String: Any] = [
                "title": "案件", "q": q ?? "", "total": total, "page": page,
                "rows": rows.map { r -> [String: Any] in
                    ["id": r.caseId, "cause": r.name, "type": Enumerations.caseType.label(of: r.type) ?? r.type,
                     "status": r.status.flatMap { Enumerations.caseStatus.label(of: $0) } ?? "", "unit": r.unitName ?? "",
                     "accepted": Fmt.time(r.acceptedAt), "problems": r.openProblems]
                },
            ]
            if Permission.seeProblems.isGranted(to: actor.role) { data["showProblems"] = true }
            if page > 1 { data["prev"] = "/cases?page=\(page - 1)&q=\(q ?? "")" }
            if page * 50 < total { data["next"] = "/cases?page=\(page + 1)&q=\(q ?? "")" }
            return try services.templates.response("cases", data, context: context)
        }
        router.get("/cases/:id") { _, context -> Response in
            let actor = try context.requireActor()
            let id = context.parameters.get("id") ?? ""
            guard let file = try await services.cases.load(id, for: actor) else { throw LoopError.notFound("案件 \(id) ") }
            var data = caseData(file, actor)
            if Permission.seeProblems.isGranted(to: actor.role) {
                data["problems"] = try await problems(of: id, for: actor).map { Fmt.row($0, now: services.now()) }
                data["showProblems"] = true
            }
            return try services.templates.response("case", data, context: context)
        }
        router.get("/api/v1/cases") { request, context -> JSONResponse in
            let actor = try context.requireActor()
            let page = max(1, Int(request.uri.queryParameters.get("page") ?? "1") ?? 1)
            let (rows, total) = try await services.cases.list(for: actor, query: request.uri.queryParameters.get("q"), page: page)
            return JSONResponse(["total": total, "page": page, "items": rows.map { r -> [String: Any] in
                var o: [String: Any] = ["caseId": r.caseId, "cause": r.name, "caseType": r.type, "openProblems": r.openProblems]
                o["status"] = r.status
                o["unitName"] = r.unitName
                o["acceptedAt"] = r.acceptedAt?.cstString
                return o
            }] as [String: Any])
        }
        router.get("/api/v1/cases/:id") { _, context -> JSONResponse in
            let actor = try context.requireActor()
            let id = context.parameters.get("id") ?? ""
            guard let file = try await services.cases.load(id, for: actor) else { throw LoopError.notFound("案件 \(id) ") }
            let b = file.bundle
            func records(_ rs: [Record]) -> [[String: Any]] {
                rs.map { r in
                    var o: [String: Any] = [:]
                    for (i, f) in r.kind.schema.fields.enumerated() where f.name != "text" {
                        if let v = r.values[i] { o[f.name] = FieldCodec.format(v, as: f.type) }
                    }
                    return o
                }
            }
            var o: [String: Any] = [
                "case": records([b.case])[0], "incidents": records(b.incidents), "persons": records(b.persons), "measures": records(b.measures),
                "transcripts": records(b.transcripts), "property": records(b.property), "venueVisits": records(b.visits),
                "appraisals": records(b.appraisals), "coordination": records(b.coordination),
                "timeline": file.timeline.entries.map { ["at": $0.at.cstString, "element": $0.kind.rawValue, "id": $0.recordId, "what": $0.what, "subject": $0.subject] },
            ]
            if Permission.seeProblems.isGranted(to: actor.role) {
                o["problems"] = try await problems(of: id, for: actor).map(APIFormat.problem)
            }
            return JSONResponse(o)
        }
    }

    func caseData(_ file: CaseFiles.CaseFile, _ actor: Actor) -> [String: Any] {
        let b = file.bundle
        let now = services.now()
        func fields(_ r: Record, skip: Set<String> = []) -> [[String: String]] {
            r.kind.schema.fields.enumerated().compactMap { i, f in
                guard !skip.contains(f.name), f.name != "text", let v = r.values[i] else { return nil }
                var shown = Display.value(v, as: f)
                if f.name.hasSuffix("officer_id") || f.name == "officer_ids" {
                    shown = FieldCodec.listItems(FieldCodec.format(v, as: f.type)).map { o in file.officerNames[o].map { "\($0)（\(o)）" } ?? o }
                        .joined(separator: "、")
                }
                return ["label": f.label, "value": shown]
            }
        }
        let c = b.case
        let persons = (b.persons + b.linkedPersons).map { p -> [String: Any] in
            let measures = b.measures.filter { $0.text("person_id") == p.id }.sorted { ($0.time("started_at")?.seconds ?? 0) < ($1.time("started_at")?.seconds ?? 0) }
            return [
                "id": p.id, "name": p.text("name") ?? p.id, "role": Enumerations.personRole.label(of: p.text("role") ?? "") ?? "",
                "fields": fields(p, skip: ["person_id", "name", "case_id", "role"]),
                "measures": measures.map { m -> [String: Any] in
                    var o: [String: Any] = ["id": m.id, "kind": Enumerations.measureKind.label(of: m.text("kind") ?? "") ?? "",
                                            "fields": fields(m, skip: ["measure_id", "case_id", "person_id", "kind"])]
                    if let start = m.time("started_at"), m.time("ended_at") == nil, Self.clocked.contains(m.text("kind") ?? ""), start <= now {
                        let mins = (now.seconds - start.seconds) / 60
                        o["clock"] = ["since": start.seconds, "elapsed": "\(mins / 60) 小时 \(mins % 60) 分"]
                    }
                    return o
                },
            ]
        }
        func list(_ rs: [Record], title: (Record) -> String) -> [[String: Any]] {
            rs.map { ["id": $0.id, "title": title($0), "fields": fields($0, skip: [$0.kind.schema.idField, "case_id"])] }
        }
        return [
            "title": "案件 \(c.id)", "id": c.id, "cause": c.text("cause") ?? "",
            "type": Enumerations.caseType.label(of: c.text("case_type") ?? "") ?? "", "unit": file.unitName ?? c.text("unit_id") ?? "",
            "caseFields": fields(c, skip: ["case_id", "cause"]),
            "timeline": file.timeline.entries.map { e -> [String: Any] in
                ["at": e.at.cstMinuteString, "element": e.kind.label, "id": e.recordId, "what": e.what, "subject": e.subject,
                 "future": e.at > now]
            },
            "incidents": list(b.incidents) { Enumerations.incidentCategory.label(of: $0.text("category") ?? "").map { "\($0)警情" } ?? "警情" },
            "persons": persons,
            "transcripts": list(b.transcripts) { Enumerations.transcriptKind.label(of: $0.text("kind") ?? "") ?? "笔录" },
            "property": list(b.property) { $0.text("name") ?? "财物" },
            "visits": list(b.visits) { _ in "办案区使用" },
            "appraisals": list(b.appraisals) { Enumerations.appraisalKind.label(of: $0.text("kind") ?? "") ?? "鉴定" },
            "coordination": list(b.coordination) { Enumerations.coordinationKind.label(of: $0.text("kind") ?? "") ?? "推送" },
            "canRegister": Permission.registerProblems.isGranted(to: actor.role),
        ]
    }
}
