import AnguanCore
import AnguanStore
import Foundation
import Hummingbird

/// 规则: the catalog with each rule's limits, basis and precision measured from 核查 outcomes per
/// unit; an admin changes a limit, window, severity or the enabled flag (audited).
struct RuleController {
    let services: WebServices

    func addRoutes(to router: Router<AppContext>) {
        router.get("/rules") { _, context -> Response in
            let actor = try context.require(.seeProblems)
            let catalog = try await services.rules.catalog()
            let precision = try await services.rules.precision()
            let units = Dictionary(try await Queries(store: services.store).unitCounts().map { ($0.unitId, $0.name) }, uniquingKeysWith: { a, _ in a })
            let admin = Permission.administer.isGranted(to: actor.role)
            let rows = catalog.rules.map { r -> [String: Any] in
                let mine = precision.filter { $0.ruleId == r.id && actor.scope.contains(unitId: $0.unitId) }
                let c = mine.reduce(0) { $0 + $1.confirmed }, d = mine.reduce(0) { $0 + $1.dismissed }
                var o: [String: Any] = [
                    "id": r.id, "name": r.name, "severity": r.severity.label, "severityClass": Fmt.severityClass(r.severity),
                    "limit": r.limit?.chinese ?? (r.limits.isEmpty ? "—" : r.limits.map { "\($0.when)：\($0.limit.chinese)" }.joined(separator: "；")),
                    "limitCode": r.limit?.description ?? "", "warn": r.warn?.chinese ?? "—", "warnCode": r.warn?.description ?? "",
                    "basis": r.basis, "enabled": r.enabled, "confirmed": c, "dismissed": d,
                    "precision": Self.percent(c, d),
                    "byUnit": mine.map { ["unit": units[$0.unitId ?? ""] ?? ($0.unitId ?? "—"), "confirmed": $0.confirmed, "dismissed": $0.dismissed,
                                          "precision": Self.percent($0.confirmed, $0.dismissed)] },
                    "severities": Severity.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == r.severity] },
                ]
                if d > 0, c + d >= 3, Double(c) / Double(c + d) < 0.6 { o["noisy"] = true }
                return o
            }
            return try services.templates.response("rules", ["title": "规则", "rules": rows, "admin": admin, "version": catalog.version],
                                                   context: context)
        }
        router.post("/rules/:id") { request, context -> Response in
            let actor = try context.require(.administer)
            let id = context.parameters.get("id") ?? ""
            let form = try await Form.read(request)
            try await change(id, actor, limit: form["limit"], warn: form["warn"], severity: form["severity"],
                             enabled: form["enabled"].map { $0 == "1" || $0 == "on" } ?? false)
            return Response.redirect(to: "/rules#\(id)")
        }
        router.get("/api/v1/rules") { _, context -> JSONResponse in
            _ = try context.require(.seeProblems)
            let catalog = try await services.rules.catalog()
            let precision = try await services.rules.precision()
            return JSONResponse(catalog.rules.map { r -> [String: Any] in
                let mine = precision.filter { $0.ruleId == r.id }
                var o: [String: Any] = ["id": r.id, "name": r.name, "severity": r.severity.rawValue, "enabled": r.enabled, "basis": r.basis,
                                        "confirmed": mine.reduce(0) { $0 + $1.confirmed }, "dismissed": mine.reduce(0) { $0 + $1.dismissed }]
                o["limit"] = r.limit?.description
                o["warn"] = r.warn?.description
                return o
            })
        }
        router.patch("/api/v1/rules/:id") { request, context -> JSONResponse in
            let actor = try context.require(.administer)
            let id = context.parameters.get("id") ?? ""
            let body = try await request.jsonObject()
            let r = try await change(id, actor, limit: body["limit"] as? String, warn: body["warn"] as? String,
                                     severity: body["severity"] as? String, enabled: body["enabled"] as? Bool)
            var o: [String: Any] = ["id": r.id, "severity": r.severity.rawValue, "enabled": r.enabled]
            o["limit"] = r.limit?.description
            o["warn"] = r.warn?.description
            return JSONResponse(o)
        }
    }

    @discardableResult
    func change(_ id: String, _ actor: Actor, limit: String?, warn: String?, severity: String?, enabled: Bool?) async throws -> Rule {
        var sev: Severity?
        if let s = severity {
            guard let x = Severity(rawValue: s) else { throw AppError.badRequest(field: "severity", reason: "“\(s)”不是严重程度") }
            sev = x
        }
        let r = try await services.rules.change(id, .init(limit: limit, warn: warn, severity: sev, enabled: enabled), by: actor,
                                                at: services.now())
        services.changed()
        return r
    }

    static func percent(_ c: Int, _ d: Int) -> String {
        c + d == 0 ? "—" : String(format: "%.0f%%", Double(c) * 100 / Double(c + d))
    }
}
