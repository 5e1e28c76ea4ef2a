import AnguanCore
import AnguanStore
import Foundation
import Hummingbird

/// 用户 and 单位 management for admins, API tokens, and the audit log with its verification.
struct AdminController {
    let services: WebServices

    func addRoutes(to router: Router<AppContext>) {
        router.get("/admin/users") { request, context -> Response in
            _ = try context.require(.administer)
            let users = try await services.accounts.list()
            let units = try await Queries(store: services.store).unitCounts()
            let names = Dictionary(units.map { ($0.unitId, $0.name) }, uniquingKeysWith: { a, _ in a })
            var data: [String: Any] = [
                "title": "用户管理",
                "users": users.map { u -> [String: Any] in
                    ["login": u.login, "name": u.name, "role": u.role.label, "unit": u.unitId.map { names[$0] ?? $0 } ?? "—",
                     "officer": u.officerId ?? "", "disabled": u.disabled]
                },
                "roles": Role.allCases.filter { $0 != .patrol }.map { ["value": $0.rawValue, "label": $0.label] },
                "units": units.map { ["value": $0.unitId, "label": $0.name] },
            ]
            if let token = request.uri.queryParameters.get("token") { data["newToken"] = token }
            return try services.templates.response("users", data, context: context)
        }
        router.post("/admin/users") { request, context -> Response in
            let actor = try context.require(.administer)
            let form = try await Form.read(request)
            try await addUser(actor, login: form["login"], name: form["name"], role: form["role"], unit: form["unit"],
                              officer: form["officer"], password: form.fields["password"]?.first)
            return Response.redirect(to: "/admin/users")
        }
        router.post("/admin/users/:login/:op") { request, context -> Response in
            let form = try await Form.read(request)
            let token = try await userOperation(context, password: form.fields["password"]?.first, tokenName: form["name"])
            return Response.redirect(to: token.map { "/admin/users?token=\($0)" } ?? "/admin/users")
        }
        router.get("/admin/units") { _, context -> Response in
            _ = try context.require(.administer)
            let units = try await Queries(store: services.store).unitCounts()
            let users = try await services.accounts.list()
            return try services.templates.response("units", [
                "title": "单位管理",
                "units": units.map { u -> [String: Any] in
                    ["id": u.unitId, "name": u.name, "kind": Enumerations.unitKind.label(of: u.kind) ?? u.kind, "officers": u.officers,
                     "incidents": u.incidents, "cases": u.cases, "users": users.filter { $0.unitId == u.unitId }.count]
                },
            ], context: context)
        }
        router.get("/audit") { _, context -> Response in
            _ = try context.require(.administer)
            let v = try await AuditLog.verify(store: services.store)
            let rows = try await AuditLog.latest(store: services.store, limit: 200)
            var data: [String: Any] = [
                "title": "审计日志", "checked": v.checked, "ok": v.ok,
                "rows": rows.map { ["seq": $0.seq, "at": $0.at.cstMinuteString, "actor": $0.actor, "action": $0.action, "object": $0.object, "detail": $0.detail] },
            ]
            if let p = v.problem { data["problem"] = p.description }
            return try services.templates.response("audit", data, context: context)
        }

        router.get("/api/v1/users") { _, context -> JSONResponse in
            _ = try context.require(.administer)
            return JSONResponse(try await services.accounts.list().map { u -> [String: Any] in
                var o: [String: Any] = ["login": u.login, "name": u.name, "role": u.role.rawValue, "disabled": u.disabled]
                o["unitId"] = u.unitId
                o["officerId"] = u.officerId
                return o
            })
        }
        router.post("/api/v1/users") { request, context -> JSONResponse in
            let actor = try context.require(.administer)
            let b = try await request.jsonObject()
            let u = try await addUser(actor, login: b["login"] as? String, name: b["name"] as? String, role: b["role"] as? String,
                                      unit: b["unitId"] as? String, officer: b["officerId"] as? String, password: b["password"] as? String)
            return JSONResponse(["login": u.login, "role": u.role.rawValue] as [String: Any], status: .created)
        }
        router.post("/api/v1/users/:login/:op") { request, context -> JSONResponse in
            _ = try context.require(.administer)  // before the body is read: a stranger learns nothing from it
            // disable and enable need no body.
            let body = try await request.jsonObject(emptyAllowed: true)
            let login = context.parameters.get("login") ?? ""
            var result: [String: Any] = ["login": login]
            result["token"] = try await userOperation(context, password: body["password"] as? String, tokenName: body["name"] as? String)
            return JSONResponse(result)
        }
        router.get("/api/v1/units") { _, context -> JSONResponse in
            let actor = try context.requireActor()
            let units = try await Queries(store: services.store).unitCounts().filter { actor.scope.contains(unitId: $0.unitId) }
            return JSONResponse(units.map { ["unitId": $0.unitId, "name": $0.name, "kind": $0.kind, "officers": $0.officers, "cases": $0.cases] as [String: Any] })
        }
        router.get("/api/v1/audit/verify") { _, context -> JSONResponse in
            _ = try context.require(.administer)
            let v = try await AuditLog.verify(store: services.store)
            var o: [String: Any] = ["ok": v.ok, "checked": v.checked]
            o["problem"] = v.problem?.description
            return JSONResponse(o)
        }
    }

    /// `disable`, `enable`, `password` or `token` on the user of the path; the new API token, for `token`.
    func userOperation(_ context: AppContext, password: String?, tokenName: String?) async throws -> String? {
        let actor = try context.require(.administer)
        let login = context.parameters.get("login") ?? ""
        var token: String?
        switch context.parameters.get("op") {
        case "disable": try await services.accounts.setDisabled(login: login, true, by: actor.login)
        case "enable": try await services.accounts.setDisabled(login: login, false, by: actor.login)
        case "password": try await services.accounts.setPassword(login: login, password: password ?? "", by: actor.login)
        case "token": token = try await services.accounts.createToken(login: login, name: tokenName ?? "api", by: actor.login)
        default: throw AppError.notFound("操作不存在（disable、enable、password、token）")
        }
        services.actorCache.removeAll()
        services.sessionCache.removeAll()
        return token
    }

    @discardableResult
    func addUser(_ actor: Actor, login: String?, name: String?, role: String?, unit: String?, officer: String?, password: String?) async throws
        -> Accounts.User
    {
        guard let r = role, let role = Role(rawValue: r), role != .patrol else {
            throw AppError.badRequest(field: "role", reason: "须选择角色（\(Role.allCases.filter { $0 != .patrol }.map(\.rawValue).joined(separator: "、"))）")
        }
        return try await services.accounts.add(login: login ?? "", name: name ?? "", role: role, unitId: unit?.isEmpty == false ? unit : nil,
                                               officerId: officer?.isEmpty == false ? officer : nil, password: password ?? "", by: actor.login)
    }
}
