import AnguanCore
import AnguanStore
import AnguanTestSupport
import AnguanWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("End to end in headless Chromium")
struct EndToEndTests {
    /// 案管民警 verifies a problem and pushes it for rectification; the unit head answers; 案管民警
    /// re-checks and closes it. Screenshots of each step go to `.build/e2e-screenshots/`.
    @Test func aProblemThroughTheWholeLoopInTheBrowser() async throws {
        let (services, users) = try await LoopFixture.services()
        let problemId = try await services.store.read { db in
            try await db.raw("""
                SELECT id FROM problems WHERE source = 'patrol' AND unit_id = \(bind: users.stationA) AND state = 'warned'
                ORDER BY CASE severity WHEN 'grave' THEN 0 ELSE 1 END, id LIMIT 1
                """).first()!.decode(column: "id", as: Int64.self)
        }
        let app = buildApplication(services: services, configuration: .init(host: "127.0.0.1", port: 0), logger: quietLogger)
        do {
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let ran = try await Browser.withPage { page in
                func login(_ who: String) async throws {
                    try await page.goto(base + "/login")
                    #expect(try await page.text().contains("请使用本人账号登录"))
                    try await page.fill("input[name=login]", who)
                    try await page.fill("input[name=password]", LoopFixture.password)
                    try await page.clickAndWait("button[type=submit]")
                }
                func act(_ action: String, comment: String? = nil, expect label: String) async throws {
                    if let comment {
                        try await page.fill("form:has(button[data-action=\(action)]) textarea[name=comment]", comment)
                    }
                    try await page.clickAndWait("button[data-action=\(action)]")
                    try await page.waitFor("document.querySelector('#state') && document.querySelector('#state').innerText === '\(label)'")
                }
                // 案管民警: the dashboard, then the problem with why it fired.
                try await login("anguan")
                let board = try await page.text()
                #expect(board.contains("工作台"))
                #expect(board.contains("问题状态"))
                #expect(board.contains("各单位在办问题"))
                try await page.screenshot("01-dashboard-supervisor")
                try await page.goto(base + "/problems?unit=\(users.stationA)&open=1")
                #expect(try await page.text().contains("问题列表"))
                try await page.screenshot("02-problem-list")
                try await page.goto(base + "/problems/\(problemId)")
                let detail = try await page.text()
                #expect(detail.contains("为什么发现这个问题"))
                #expect(detail.contains("期限如何计算"))
                #expect(detail.contains("法律依据"))
                // The records it is about link to their place on the case page.
                #expect(try await page.eval("document.querySelectorAll('a[href*=\"/cases/\"][href*=\"#\"]').length > 0") as? Bool == true)
                #expect(detail.contains("预警"))
                try await page.screenshot("03-problem-warned")
                try await act("verify", expect: "核查中")
                try await act("confirm", comment: "经核查属实", expect: "属实")
                try await act("push", comment: "请于期限内整改", expect: "整改中")
                #expect(try await page.text().contains("整改期限"))
                try await page.screenshot("04-problem-pushed")
                try await page.clickAndWait("header button[type=submit]")
                // 所队长 of the unit answers.
                try await login("suozhang")
                #expect(try await page.text().contains("工作台"))
                try await page.goto(base + "/problems/\(problemId)")
                #expect(try await page.text().contains("整改反馈"))
                try await act("answer", comment: "已责令主办民警补正，并组织全所学习", expect: "已反馈")
                try await page.screenshot("05-problem-answered-by-unit-head")
                try await page.clickAndWait("header button[type=submit]")
                // 案管民警 re-checks and closes.
                try await login("anguan")
                try await page.goto(base + "/problems/\(problemId)")
                try await act("review", comment: "已复核整改材料", expect: "复核")
                try await act("close", expect: "已办结")
                let done = try await page.text()
                for step in ["开始核查", "核查属实", "推送整改", "整改反馈", "复核", "办结", "所长丙（suozhang）", "案管甲（anguan）",
                             "已责令主办民警补正"] {
                    #expect(done.contains(step), "history shows \(step)")
                }
                try await page.screenshot("06-problem-closed")
                try await page.goto(base + "/cases/\(users.caseA)")
                #expect(try await page.text().contains("时间轴"))
                try await page.screenshot("07-case-timeline")
                try await page.goto(base + "/worklists")
                #expect(try await page.text().contains("违法犯罪类警情"))
                try await page.screenshot("08-worklists")
                try await page.goto(base + "/rules")
                #expect(try await page.text().contains("精确率"))
                try await page.screenshot("09-rules")
                try await page.clickAndWait("header button[type=submit]")
                try await login("admin")
                try await page.goto(base + "/admin/users")
                #expect(try await page.text().contains("新增用户"))
                try await page.screenshot("10-admin-users")
                try await page.goto(base + "/audit")
                #expect(try await page.text().contains("哈希链校验通过"))
                try await page.screenshot("11-audit")
                // English is the second locale.
                try await page.eval("location.href = '/lang/en?next=%2Fproblems%2F\(problemId)'")
                try await page.waitFor("document.readyState === 'complete' && document.documentElement.lang === 'en'")
                #expect(try await page.text().contains("Why this problem was found"))
                try await page.screenshot("12-problem-english")
            }
            if !ran { print("Chromium is not installed: the browser test was skipped") }
        }
        } catch {
            await services.store.close()
            throw error
        }
        #expect(try await AuditLog.verify(store: services.store).ok)
        await services.store.close()
    }
}
