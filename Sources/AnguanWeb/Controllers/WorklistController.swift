import AnguanCore
import AnguanStore
import Hummingbird

/// 每日巡查清单: the 违法犯罪类 incidents and coercive measures of the review window nobody has
/// checked yet; each is marked 已查, or raised as a problem in one step.
struct WorklistController {
    let services: WebServices

    func kind(_ context: AppContext) throws -> Worklists.Kind {
        guard let k = context.parameters.get("kind").flatMap(Worklists.Kind.init(rawValue:)) else {
            throw AppError.notFound("清单不存在")
        }
        return k
    }

    /// Raises the item as a problem (category 「…审查」 unless one is given) and marks it reviewed with it.
    func raise(_ context: AppContext, _ value: (String) -> String?) async throws -> Int64 {
        let actor = try context.require(.reviewWorklists)
        let k = try kind(context), id = context.parameters.get("id") ?? ""
        let problem = try await ProblemController(services: services).register(actor) { key in
            value(key) ?? (key == "category" ? "\(k.label)审查" : nil)
        }
        try await services.worklists.mark(k, id, by: actor, at: services.now(), problem: problem)
        services.changed()
        return problem
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("/worklists") { _, context -> Response in
            let actor = try context.require(.reviewWorklists)
            let now = services.now()
            var lists: [[String: Any]] = []
            for k in Worklists.Kind.allCases {
                let items = try await services.worklists.items(k, for: actor, now: now)
                lists.append([
                    "kind": k.rawValue, "label": k.label, "n": items.count,
                    "items": items.map { i -> [String: Any] in
                        ["id": i.recordId, "at": i.at.cstMinuteString, "title": i.title, "detail": i.detail, "caseId": i.caseId ?? "",
                         "cause": i.caseCause ?? "", "unit": i.unitName ?? i.unitId ?? "", "unitId": i.unitId ?? ""]
                    },
                ])
            }
            let sources = ProblemSource.manual.map { ["value": $0.rawValue, "label": $0.label] }
            return try services.templates.response("worklists", ["title": "每日巡查清单", "lists": lists, "days": services.worklists.windowDays,
                                                                  "sources": sources,
                                                                  "severities": Severity.allCases.map { ["value": $0.rawValue, "label": $0.label] }],
                                                   context: context)
        }
        router.post("/worklists/:kind/:id/reviewed") { _, context -> Response in
            let actor = try context.require(.reviewWorklists)
            try await services.worklists.mark(try kind(context), context.parameters.get("id") ?? "", by: actor, at: services.now())
            services.changed()
            return Response.redirect(to: "/worklists")
        }
        router.post("/worklists/:kind/:id/raise") { request, context -> Response in
            let form = try await Form.read(request)
            return Response.redirect(to: "/problems/\(try await raise(context) { form[$0] })")
        }
        router.get("/api/v1/worklists/:kind") { _, context -> JSONResponse in
            let actor = try context.require(.reviewWorklists)
            let items = try await services.worklists.items(try kind(context), for: actor, now: services.now())
            return JSONResponse(items.map { i -> [String: Any] in
                var o: [String: Any] = ["id": i.recordId, "at": i.at.cstString, "title": i.title, "detail": i.detail]
                o["caseId"] = i.caseId
                o["unitId"] = i.unitId
                return o
            })
        }
        router.post("/api/v1/worklists/:kind/:id/raise") { request, context -> JSONResponse in
            let body = try await request.jsonObject()
            return JSONResponse(["problemId": try await raise(context) { body.text($0) }] as [String: Any], status: .created)
        }
        router.post("/api/v1/worklists/:kind/:id/reviewed") { _, context -> JSONResponse in
            let actor = try context.require(.reviewWorklists)
            try await services.worklists.mark(try kind(context), context.parameters.get("id") ?? "", by: actor, at: services.now())
            services.changed()
            return JSONResponse(["ok": true], status: .created)
        }
    }
}
