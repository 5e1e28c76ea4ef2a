import AnguanCore
import AnguanStore
import Hummingbird

/// The home page (首页): records per element and per unit, and the latest imports.
struct HomeController {
    let services: WebServices

    func addRoutes(to router: Router<AppContext>) {
        router.get("/overview") { _, context -> Response in
            _ = try context.require(.seeProblems)
            let L = context.language.text
            let q = Queries(store: services.store)
            let counts = try await q.elementCounts()
            let units = try await q.unitCounts()
            let runs = try await q.importRuns(limit: 10)
            let patrol = try await q.patrolOverview()
            var body = "<section><h2>\(L("执法要素总览"))</h2><div class=\"cards\">"
            for (kind, n) in counts {
                body += "<div class=\"card\">\(HTML.escape(L(kind.label)))<b>\(n)</b></div>"
            }
            body += "</div></section>"
            body += "<section><h2>\(L("日巡查"))</h2>"
            if let at = patrol.lastRunAt, let now = patrol.lastNow {
                body += "<p>\(L("最近一次巡查："))\(Instant(seconds: at).cstMinuteString)\(L("（巡查基准时间")) \(Instant(seconds: now).cstMinuteString)\(L("，规则目录版本")) \(HTML.escape(patrol.catalogVersion ?? ""))\(L("）"))</p>"
            } else {
                body += "<p>\(L("尚未巡查"))</p>"
            }
            body += "<div class=\"cards\">"
            for (state, n) in patrol.byState {
                body += "<div class=\"card\">\(HTML.escape(L(ProblemState(rawValue: state)?.label ?? state)))<b>\(n)</b></div>"
            }
            body += "</div><table><tr><th>\(L("规则"))</th><th>\(L("名称"))</th><th>\(L("严重度"))</th><th class=\"n\">\(L("在办问题"))</th></tr>"
            for r in patrol.byRule {
                body += "<tr><td>\(HTML.escape(r.ruleId))</td><td>\(HTML.escape(r.name))</td>"
                    + "<td>\(HTML.escape(L(Severity(rawValue: r.severity)?.label ?? r.severity)))</td><td class=\"n\">\(r.open)</td></tr>"
            }
            body += "</table></section>"
            body += "<section><h2>\(L("各单位执法要素"))</h2><table><tr><th>\(L("单位编号"))</th><th>\(L("单位名称"))</th><th>\(L("类别"))</th>"
                + "<th class=\"n\">\(L("民警"))</th><th class=\"n\">\(L("警情"))</th><th class=\"n\">\(L("案件"))</th></tr>"
            for u in units {
                let kindLabel = Enumerations.unitKind.label(of: u.kind) ?? u.kind
                body += "<tr><td>\(HTML.escape(u.unitId))</td><td>\(HTML.escape(u.name))</td><td>\(HTML.escape(L(kindLabel)))</td>"
                    + "<td class=\"n\">\(u.officers)</td><td class=\"n\">\(u.incidents)</td><td class=\"n\">\(u.cases)</td></tr>"
            }
            body += "</table></section>"
            body += "<section><h2>\(L("最近导入"))</h2><table><tr><th>\(L("批次"))</th><th>\(L("目录"))</th><th>\(L("开始时间"))</th><th>\(L("结果"))</th>"
                + "<th class=\"n\">\(L("新增"))</th><th class=\"n\">\(L("更新"))</th><th class=\"n\">\(L("未变"))</th><th class=\"n\">\(L("拒收"))</th></tr>"
            for r in runs {
                let outcome = switch r.outcome {
                case "committed": "<span class=\"ok\">\(L("已导入"))</span>"
                case "rejected": "<span class=\"bad\">\(L("已拒绝（未写入）"))</span>"
                default: "<span class=\"bad\">\(L("未完成"))</span>"
                }
                body += "<tr><td>\(r.id)</td><td>\(HTML.escape(r.folder))</td>"
                    + "<td>\(Instant(seconds: r.startedAt).cstMinuteString)</td><td>\(outcome)</td>"
                    + "<td class=\"n\">\(r.inserted)</td><td class=\"n\">\(r.updated)</td><td class=\"n\">\(r.unchanged)</td>"
                    + "<td class=\"n\">\(r.rejected)</td></tr>"
            }
            if runs.isEmpty { body += "<tr><td colspan=\"8\">\(L("尚无导入记录"))</td></tr>" }
            body += "</table></section>"
            return try services.templates.response("raw", ["title": "执法要素总览", "body": body], context: context)
        }
    }
}

