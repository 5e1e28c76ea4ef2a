import AnguanCore
import AnguanStore
import AnguanTestSupport
import AnguanWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Audit log, OpenAPI, lists and worklists")
struct AuditAndAPITests {
    @Test func auditVerifyPassesOnAUsedDatabaseAndNamesAnEditedRow() async throws {
        let (services, users) = try await LoopFixture.services()
        let store = services.store
        let sup = try await LoopFixture.actor(services, "anguan")
        _ = try await LoopFixture.problem(services, users, in: .recheck)
        let id = try await LoopFixture.problem(services, users, in: .warned)
        try await services.desk.comment(id, body: "请核查", by: sup, at: LoopFixture.now)
        let ok = try await AuditLog.verify(store: store)
        #expect(ok.ok)
        #expect(ok.checked > 10)
        // The application cannot change an entry: the table refuses.
        await #expect(throws: (any Error).self) {
            try await store.write { s in try await s.sql.raw("UPDATE audit_log SET detail = 'x' WHERE seq = 3").run() }
        }
        // Someone with the database file drops the guard and edits entry 5.
        try await store.write { s in
            try await s.sql.raw("DROP TRIGGER audit_log_no_update").run()
            try await s.sql.raw("UPDATE audit_log SET actor = 'someone' WHERE seq = 5").run()
        }
        let broken = try await AuditLog.verify(store: store)
        #expect(broken.problem == .edited(seq: 5))
        #expect(broken.checked == 4)
        await store.close()
    }

    @Test func auditVerifyNamesADeletedRowAndTheCommandFails() async throws {
        let (services, users) = try await LoopFixture.services()
        let store = services.store
        _ = try await LoopFixture.problem(services, users, in: .rectifying)
        let path: String
        if case .sqlite(let p) = store.url { path = p } else { path = "" }
        try await store.write { s in
            try await s.sql.raw("DROP TRIGGER audit_log_no_delete").run()
            try await s.sql.raw("DELETE FROM audit_log WHERE seq = 4").run()
        }
        let v = try await AuditLog.verify(store: store)
        #expect(v.problem == .unlinked(seq: 5, expectedSeq: 4))
        await store.close()
        // `anguan audit verify` exits 1 naming the entry.
        let binary = packageRoot + "/.build/debug/anguan"
        if FileManager.default.fileExists(atPath: binary) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["audit", "verify", "--db", "sqlite:" + path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = Pipe()
            try p.run()
            p.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 1)
            #expect(text.contains("entry 5 follows entry 3: entry 4 was deleted"))
        }
    }

    @Test func openAPIDocumentIsValidAndCoversEveryRoute() async throws {
        let (services, _) = try await LoopFixture.services()
        let router = buildRouter(services: services)
        let routes = router.routes.map { (path: $0.path.description, method: $0.method.rawValue) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        try await app.test(.router) { client in
            let res = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(res.status == .ok)
            let doc = try #require(try json(res) as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let info = try #require(doc["info"] as? [String: Any])
            #expect(info["title"] != nil && info["version"] != nil)
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var operationIds = Set<String>()
            for route in routes {
                let path = "/" + route.path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                let op = try #require(paths[path]?[route.method.lowercased()] as? [String: Any], "\(route) is not in /openapi.json")
                let summary = op["summary"] as? String ?? ""
                #expect(!summary.isEmpty, "\(route) has no summary")
                let id = try #require(op["operationId"] as? String)
                #expect(!operationIds.contains(id), "operationId \(id) twice")
                operationIds.insert(id)
                #expect((op["responses"] as? [String: Any])?.isEmpty == false)
                // Every path template parameter is declared.
                let declared = Set(((op["parameters"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
                let inPath = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                #expect(declared == inPath, "\(path)")
            }
            #expect(paths["/openapi.json"]?["get"] != nil)
            // References resolve.
            let text = String(buffer: res.body)
            #expect(text.contains("#/components/responses/Error"))
            #expect(((doc["components"] as? [String: Any])?["responses"] as? [String: Any])?["Error"] != nil)
        }
        await services.store.close()
    }

    @Test func problemListFiltersSortsPaginatesAndExportsCSV() async throws {
        try await LoopFixture.withApp { client, _, users in
            let s = try await Session.login(client, "anguan")
            let all = try json(try await s.get(client, "/api/v1/problems?per_page=50")) as! [String: Any]
            let total = all["total"] as! Int
            #expect(total > 100)
            #expect((all["items"] as! [Any]).count == 50)
            let page2 = try json(try await s.get(client, "/api/v1/problems?per_page=50&page=2")) as! [String: Any]
            let ids1 = Set((all["items"] as! [[String: Any]]).map { $0["id"] as! Int })
            let ids2 = Set((page2["items"] as! [[String: Any]]).map { $0["id"] as! Int })
            #expect(ids1.isDisjoint(with: ids2))
            let grave = try json(try await s.get(client, "/api/v1/problems?severity=grave&unit=\(users.stationA)&per_page=500")) as! [String: Any]
            let items = grave["items"] as! [[String: Any]]
            #expect(!items.isEmpty)
            #expect(items.allSatisfy { $0["severity"] as? String == "grave" && $0["unitId"] as? String == users.stationA })
            let due = try json(try await s.get(client, "/api/v1/problems?sort=due&per_page=20")) as! [String: Any]
            let dues = (due["items"] as! [[String: Any]]).compactMap { $0["dueAt"] as? String }
            #expect(dues == dues.sorted())
            let csv = try await s.get(client, "/problems.csv?severity=grave&unit=\(users.stationA)")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = String(buffer: csv.body).split(separator: "\r\n")
            #expect(lines.count == items.count + 1)
            #expect(lines[0].contains("编号,来源,规则"))
            let page = String(buffer: try await s.get(client, "/problems?state=warned&sort=severity").body)
            #expect(page.contains("问题列表"))
            #expect(page.contains("第 1 /"))
            #expect(try await s.get(client, "/api/v1/problems?from=2026-13-01").status == .badRequest)
        }
    }

    @Test func problemsFromElsewhereCommentsReadsAndEscalation() async throws {
        let clock = TestClock(LoopFixture.now)
        try await LoopFixture.withApp(clock: clock) { client, services, users in
            var s = try await Session.login(client, "anguan")
            let created = try await s.postJSON(client, "/api/v1/problems", """
                {"source": "inspection", "unit": "\(users.stationA)", "officer": "\(users.officerA)", "case": "\(users.caseA)",
                 "description": "上级检查发现笔录未签名", "severity": "major", "category": "笔录不规范"}
                """)
            #expect(created.status == .created)
            let p = try json(created) as! [String: Any]
            let id = p["id"] as! Int
            #expect(p["source"] as? String == "inspection")
            #expect(p["state"] as? String == "warned")
            let bad = try await s.postJSON(client, "/api/v1/problems", #"{"source": "inspection", "unit": "NOPE", "description": "x", "severity": "minor", "category": "c"}"#)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("单位 NOPE 不存在"))
            // 核查会商: two people comment, each attributed.
            let f = try await Session.login(client, "fazhi")
            #expect(try await s.post(client, "/problems/\(id)/comments", form: "body=请法制员核查").status == .seeOther)
            #expect(try await f.post(client, "/problems/\(id)/comments", form: "body=已核实，属实").status == .seeOther)
            for (a, who) in [("verify", s), ("confirm", f), ("push", s)] {
                #expect(try await who.post(client, "/problems/\(id)/transition", form: "action=\(a)&workdays=3").status == .seeOther)
            }
            // The unit head opens it: first view recorded once.
            let head = try await Session.login(client, "suozhang")
            let page = String(buffer: try await head.get(client, "/problems/\(id)").body)
            #expect(page.contains("上级检查发现笔录未签名"))
            #expect(page.contains("整改反馈"))
            _ = try await head.get(client, "/problems/\(id)")
            let detail = try json(try await s.get(client, "/api/v1/problems/\(id)")) as! [String: Any]
            #expect((detail["comments"] as! [[String: Any]]).map { $0["login"] as! String } == ["anguan", "fazhi"])
            let reads = (detail["reads"] as! [[String: Any]]).map { $0["login"] as! String }
            #expect(reads.filter { $0 == "suozhang" }.count == 1)
            // Rectification deadline: 3 working days after 2026-11-20 (Friday) is 2026-11-25 24:00.
            #expect(detail["rectifyDueAt"] as? String == "2026-11-26 00:00:00")
            let events = detail["events"] as! [[String: Any]]
            #expect(events.map { $0["action"] as! String } == ["registered", "verify", "confirm", "push"])
            #expect(events.last?["actor"] as? String == "anguan")
            #expect((events.last?["data"] as? String)?.contains("rectifying") == true)
            // Overdue: 督办 to the unit head, later to the branch leader; shown everywhere.
            clock.advance(hours: 24 * 6)
            s = try await Session.login(client, "anguan")  // the morning session has long expired
            #expect(try await services.desk.escalate(now: clock.now) >= 1)
            services.changed()
            let after = try json(try await s.get(client, "/api/v1/problems/\(id)")) as! [String: Any]
            #expect(after["escalation"] as? Int == 1)
            let board = try json(try await s.get(client, "/api/v1/dashboard")) as! [String: Any]
            #expect((board["escalated"] as! [[String: Any]]).contains { $0["id"] as? Int == id })
            #expect(String(buffer: try await s.get(client, "/problems?escalated=1").body).contains("督办（所队长）"))
            clock.advance(hours: 24 * 5)
            _ = try await services.desk.escalate(now: clock.now)
            let s2 = try await Session.login(client, "anguan")
            let later = try json(try await s2.get(client, "/api/v1/problems/\(id)")) as! [String: Any]
            #expect(later["escalation"] as? Int == 2)
        }
    }

    @Test func worklistItemsAreReviewedOrRaised() async throws {
        try await LoopFixture.withApp { client, services, _ in
            let f = try await Session.login(client, "fazhi")
            let list = try json(try await f.get(client, "/api/v1/worklists/measures")) as! [[String: Any]]
            #expect(!list.isEmpty)
            let first = list[0]["id"] as! String
            #expect(try await f.post(client, "/worklists/measures/\(first)/reviewed", form: "").status == .seeOther)
            let again = try json(try await f.get(client, "/api/v1/worklists/measures")) as! [[String: Any]]
            #expect(!again.contains { $0["id"] as? String == first })
            #expect(try await f.post(client, "/worklists/measures/\(first)/reviewed", form: "").status == .conflict)
            let second = again[0]
            let raised = try await f.post(client, "/worklists/measures/\(second["id"] as! String)/raise",
                                          form: "source=special_patrol&severity=major&unit=\(second["unitId"] as! String)&case=\(second["caseId"] as? String ?? "")&description=未及时送押")
            #expect(raised.status == .seeOther)
            #expect(raised.headers[.location]?.hasPrefix("/problems/") == true)
            let page = String(buffer: try await f.get(client, "/worklists").body)
            #expect(page.contains("每日巡查清单"))
            #expect(page.contains("违法犯罪类警情"))
            let officer = try await Session.login(client, "minjing")
            #expect(try await officer.get(client, "/worklists").status == .forbidden)
            // The same through the API.
            let third = (try json(try await f.get(client, "/api/v1/worklists/incidents")) as! [[String: Any]])[0]
            let viaAPI = try await f.postJSON(client, "/api/v1/worklists/incidents/\(third["id"] as! String)/raise", """
                {"source": "public_opinion", "severity": "minor", "unit": "\(third["unitId"] as! String)", "description": "群众反映出警慢"}
                """)
            #expect(viaAPI.status == .created)
            let problemId = (try json(viaAPI) as! [String: Any])["problemId"] as! Int
            let raisedProblem = try json(try await f.get(client, "/api/v1/problems/\(problemId)")) as! [String: Any]
            #expect(raisedProblem["source"] as? String == "public_opinion")
            #expect(raisedProblem["ruleName"] as? String == "违法犯罪类警情审查")
            _ = services
        }
    }

    @Test func rulesShowPrecisionAndAdminChangesAreAudited() async throws {
        try await LoopFixture.withApp { client, services, users in
            let sup = try await LoopFixture.actor(services, "anguan")
            // Two verified 属实, one 不属实 on patrol problems of one rule.
            let ids = try await services.store.read { db in
                try await db.raw("SELECT id, rule_id FROM problems WHERE source = 'patrol' AND unit_id = \(bind: users.stationA) ORDER BY rule_id, id LIMIT 40").all()
                    .map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "rule_id", as: String.self)) }
            }
            let rule = ids[0].1
            let same = ids.filter { $0.1 == rule }.map(\.0)
            try #require(same.count >= 2)
            for (n, id) in same.prefix(3).enumerated() {
                try await services.desk.transition(id, .init(action: .verify), by: sup, at: LoopFixture.now)
                try await services.desk.transition(id, .init(action: n == 1 ? .dismiss : .confirm, comment: "核查"), by: sup, at: LoopFixture.now)
            }
            let precision = try await services.rules.precision().filter { $0.ruleId == rule }
            let c = precision.reduce(0) { $0 + $1.confirmed }, d = precision.reduce(0) { $0 + $1.dismissed }
            #expect(d == 1 && c == min(3, same.count) - 1)
            let s = try await Session.login(client, "anguan")
            #expect(String(buffer: try await s.get(client, "/rules").body).contains("精确率"))
            // Only an admin changes a rule; a bad period is refused; the change is audited.
            #expect(try await s.post(client, "/rules/\(rule)", form: "severity=minor&enabled=1").status == .forbidden)
            let admin = try await Session.login(client, "admin")
            #expect(try await admin.post(client, "/rules/\(rule)", form: "limit=banana&enabled=1").status == .badRequest)
            #expect(try await admin.post(client, "/rules/\(rule)", form: "severity=advisory&enabled=1").status == .seeOther)
            let catalog = try await services.rules.catalog()
            #expect(catalog.rule(rule)?.severity == .advisory)
            let audit = try await AuditLog.latest(store: services.store, object: "rule:\(rule)")
            #expect(audit.first?.actor == "admin")
            #expect(audit.first?.detail.contains("severity=advisory") == true)
            #expect(try await AuditLog.verify(store: services.store).ok)
        }
    }
}

@Suite("Record ingestion over the API")
struct IngestTests {
    @Test func jsonLinesAreValidatedLikeTheCommandLine() async throws {
        try await LoopFixture.withApp { client, services, users in
            let token = try await services.accounts.createToken(login: "anguan", name: "feed", by: "test")
            let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/x-ndjson"]
            let good = """
                {"incident_id": "API-1", "received_at": "2026-11-20 08:00", "source": "110", "category": "治安", "unit_id": "\(users.stationA)"}
                {"incident_id": "API-2", "received_at": "2026-11-20T09:00:00+08:00", "source": "walk_in", "category": "dispute", "unit_id": "\(users.stationA)"}

                """
            let ok = try await client.execute(uri: "/api/v1/ingest/incidents", method: .post, headers: auth, body: ByteBuffer(string: good))
            #expect(ok.status == .created)
            let report = try json(ok) as! [String: Any]
            #expect(report["inserted"] as? Int == 2)
            #expect(report["outcome"] as? String == "committed")
            let bad = """
                {"incident_id": "API-3", "received_at": "2026-11-20 08:00", "source": "110", "category": "治安", "unit_id": "\(users.stationA)"}
                {"incident_id": "API-4", "received_at": "2026-13-01 08:00", "source": "110", "category": "治安", "unit_id": "\(users.stationA)"}
                {"incident_id": "API-5", "received_at": "2026-11-20 08:00", "source": "110", "category": "治安", "unit_id": "NOPE"}

                """
            let refused = try await client.execute(uri: "/api/v1/ingest/incidents", method: .post, headers: auth, body: ByteBuffer(string: bad))
            #expect(refused.status == .unprocessableContent)
            let e = try json(refused) as! [String: [String: Any]]
            #expect(e["error"]?["code"] as? String == "import_rejected")
            let details = e["error"]?["details"] as? [String] ?? []
            #expect(details.contains { $0.contains("incidents.jsonl:2") && $0.contains("received_at") })
            #expect(details.contains { $0.contains("incidents.jsonl:3") && $0.contains("unit_id") })
            // All or nothing: API-3 was not written.
            let n = try await services.store.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM el_incidents WHERE incident_id IN ('API-1', 'API-3')").first()!.decode(column: "n", as: Int.self)
            }
            #expect(n == 1)
            #expect(try await client.execute(uri: "/api/v1/ingest/nonsense", method: .post, headers: auth, body: ByteBuffer(string: good)).status == .notFound)
            let officer = try await services.accounts.createToken(login: "minjing", name: "x", by: "test")
            let forbidden = try await client.execute(uri: "/api/v1/ingest/incidents", method: .post,
                                                     headers: [.authorization: "Bearer \(officer)"], body: ByteBuffer(string: good))
            #expect(forbidden.status == .forbidden)
            let runs = try json(try await client.execute(uri: "/api/v1/import-runs", method: .get, headers: auth)) as! [[String: Any]]
            #expect(runs.first?["outcome"] as? String == "rejected")
            let audit = try await AuditLog.latest(store: services.store, limit: 5)
            #expect(audit.contains { $0.action == "import.rejected" && $0.actor == "anguan" })
        }
    }
}

@Suite("分类推送")
struct PushByCategoryTests {
    @Test func everyConfirmedProblemOfARuleIsPushedAtOnce() async throws {
        try await LoopFixture.withApp { client, services, users in
            let sup = try await LoopFixture.actor(services, "anguan")
            let rows = try await services.store.read { db in
                try await db.raw("""
                    SELECT rule_id, id FROM problems WHERE source = 'patrol' AND unit_id = \(bind: users.stationA)
                    ORDER BY rule_id, id
                    """).all().map { (try $0.decode(column: "rule_id", as: String.self), try $0.decode(column: "id", as: Int64.self)) }
            }
            let rule = Dictionary(grouping: rows, by: \.0).max { $0.value.count < $1.value.count }!.key
            let ofRule = rows.filter { $0.0 == rule }.map(\.1)
            try #require(ofRule.count >= 3)
            // Two confirmed, one still being verified.
            for (n, id) in ofRule.prefix(3).enumerated() {
                try await services.desk.transition(id, .init(action: .verify), by: sup, at: LoopFixture.now)
                if n < 2 { try await services.desk.transition(id, .init(action: .confirm), by: sup, at: LoopFixture.now) }
            }
            let s = try await Session.login(client, "anguan")
            let page = String(buffer: try await s.get(client, "/problems?rule=\(rule)&unit=\(users.stationA)").body)
            #expect(page.contains("分类推送"))
            #expect(!String(buffer: try await s.get(client, "/problems").body).contains("action=\"/problems/push\""), "only for a rule or a unit")
            let res = try await s.post(client, "/problems/push", form: "rule=\(rule)&unit=\(users.stationA)&workdays=5&comment=集中整改")
            #expect(res.status == .seeOther)
            #expect(res.headers[.location]?.contains("pushed=2") == true)
            for (n, id) in ofRule.prefix(3).enumerated() {
                let d = try #require(try await services.desk.detail(id, for: sup))
                #expect(d.summary.state == (n < 2 ? .rectifying : .verifying))
                if n < 2 { #expect(d.events.last?.comment == "集中整改") }
            }
            // Without a rule or unit it is refused; the officer may not push.
            #expect(try await s.postJSON(client, "/api/v1/problems/push", #"{"severity": "grave"}"#).status == .badRequest)
            let officer = try await Session.login(client, "minjing")
            #expect(try await officer.postJSON(client, "/api/v1/problems/push", #"{"rule": "\#(rule)"}"#).status == .forbidden)
        }
    }
}
