import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of every route, built from the router itself so that no route can be
/// left out: each route needs a summary here, and the document lists what the router holds.
enum OpenAPIDocument {
    /// Summaries by "METHOD path" (path as the router writes it).
    static let summaries: [String: (tag: String, summary: String)] = [
        "GET /health": ("platform", "健康检查：状态、数据库可达、模式版本"),
        "GET /metrics": ("platform", "Prometheus 指标"),
        "GET /openapi.json": ("platform", "本接口说明（OpenAPI 3.1）"),
        "GET /static/:file": ("platform", "样式与脚本"),
        "GET /login": ("pages", "登录页"),
        "POST /login": ("pages", "登录（表单）"),
        "POST /logout": ("pages", "退出"),
        "GET /lang/:code": ("pages", "切换界面语言（zh 中文、en English）"),
        "GET /": ("pages", "工作台"),
        "GET /overview": ("pages", "执法要素总览"),
        "GET /problems": ("pages", "问题列表"),
        "GET /problems.csv": ("pages", "问题列表导出 CSV"),
        "GET /problems/new": ("pages", "登记问题（表单）"),
        "POST /problems": ("pages", "登记问题"),
        "POST /problems/push": ("pages", "分类推送：筛选范围内的属实问题一并推送整改（表单）"),
        "GET /problems/:id": ("pages", "问题详情"),
        "POST /problems/:id/transition": ("pages", "问题流转（表单）"),
        "POST /problems/:id/comments": ("pages", "核查会商意见（表单）"),
        "GET /cases": ("pages", "案件列表"),
        "GET /cases/:id": ("pages", "案件时间轴"),
        "GET /worklists": ("pages", "每日巡查清单"),
        "POST /worklists/:kind/:id/reviewed": ("pages", "清单项标记已查"),
        "POST /worklists/:kind/:id/raise": ("pages", "由清单项登记问题"),
        "GET /rules": ("pages", "规则目录与精确率"),
        "POST /rules/:id": ("pages", "修改规则（管理员）"),
        "GET /admin/users": ("pages", "用户管理"),
        "POST /admin/users": ("pages", "新增用户"),
        "POST /admin/users/:login/:op": ("pages", "停用、启用、重置密码、生成接口令牌"),
        "GET /admin/units": ("pages", "单位管理"),
        "GET /audit": ("pages", "审计日志与校验"),
        "GET /api/v1/dashboard": ("problems", "工作台数据"),
        "GET /api/v1/problems": ("problems", "问题列表（筛选、排序、分页）"),
        "POST /api/v1/problems": ("problems", "登记问题（问题汇聚）"),
        "POST /api/v1/problems/push": ("problems", "分类推送：按规则或单位筛选的属实问题一并推送整改"),
        "GET /api/v1/problems/:id": ("problems", "问题详情（含流转记录、会商意见、已读）"),
        "POST /api/v1/problems/:id/transitions": ("problems", "问题流转：核查、属实/不属实、推送整改、反馈、复核、办结、退回整改"),
        "POST /api/v1/problems/:id/comments": ("problems", "核查会商意见"),
        "GET /api/v1/cases": ("cases", "案件列表"),
        "GET /api/v1/cases/:id": ("cases", "案件全部要素与时间轴"),
        "GET /api/v1/worklists/:kind": ("worklists", "每日巡查清单（incidents 或 measures）"),
        "POST /api/v1/worklists/:kind/:id/reviewed": ("worklists", "清单项标记已查"),
        "POST /api/v1/worklists/:kind/:id/raise": ("worklists", "由清单项登记问题（同时标记已查）"),
        "GET /api/v1/rules": ("rules", "规则目录"),
        "PATCH /api/v1/rules/:id": ("rules", "修改规则期限、预警窗口、严重程度、启用（管理员）"),
        "GET /api/v1/units": ("admin", "单位"),
        "GET /api/v1/users": ("admin", "用户（管理员）"),
        "POST /api/v1/users": ("admin", "新增用户（管理员）"),
        "POST /api/v1/users/:login/:op": ("admin", "停用、启用、重置密码、生成接口令牌（管理员）"),
        "GET /api/v1/audit/verify": ("admin", "校验审计日志哈希链（管理员）"),
        "GET /api/v1/import-runs": ("records", "导入批次"),
        "POST /api/v1/ingest/:element": ("records", "接入一种要素的交换格式 JSON Lines（全部成功或全部不写入）"),
    ]

    /// The document for the routes of a router.
    static func build(routes: [(method: String, path: String)]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        let error: [String: Any] = ["$ref": "#/components/responses/Error"]
        for r in routes {
            // The router writes captures as {name} or :name; the table uses :name.
            let components = r.path.split(separator: "/").map { c -> String in
                c.hasPrefix("{") && c.hasSuffix("}") ? ":" + c.dropFirst().dropLast() : String(c)
            }
            let key = "\(r.method) /" + components.joined(separator: "/")
            let doc = summaries[key] ?? ("undocumented", "")
            let params = components.filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
            let openPath = "/" + components.map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 }.joined(separator: "/")
            var op: [String: Any] = [
                "operationId": (r.method.lowercased() + openPath.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: ""))
                    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_"),
                "summary": doc.summary, "tags": [doc.tag],
                "responses": ["200": ["description": "成功"], "400": error, "401": error, "403": error, "404": error, "409": error],
            ]
            if !params.isEmpty {
                op["parameters"] = params.map { ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]] }
            }
            if r.path.hasPrefix("/api/") { op["security"] = [["bearer": [] as [String]], ["session": [] as [String]]] }
            if ["POST", "PATCH"].contains(r.method), r.path.hasPrefix("/api/") {
                let media = r.path.hasPrefix("/api/v1/ingest") ? "application/x-ndjson" : "application/json"
                op["requestBody"] = ["required": true, "content": [media: ["schema": ["type": media == "application/json" ? "object" : "string"]]]]
            }
            paths[openPath, default: [:]][r.method.lowercased()] = op
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "案管 Anguan 执法监督管理平台 API", "version": "1.0.0",
                     "description": "案管中心的问题闭环（预警→核查→整改→反馈→复核）、案件、规则与要素接入。错误为 JSON：{\"error\": {\"code\", \"message\"}}，message 为中文。"],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "用户的接口令牌（管理员在用户管理页生成）"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "anguan_session"],
                ],
                "responses": ["Error": ["description": "错误", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]],
                "schemas": ["Error": [
                    "type": "object", "required": ["error"],
                    "properties": ["error": ["type": "object", "required": ["code", "message"],
                                             "properties": ["code": ["type": "string"], "message": ["type": "string"], "field": ["type": "string"],
                                                            "details": ["type": "array", "items": ["type": "string"]]]]],
                ]],
            ] as [String: Any],
        ]
    }
}
