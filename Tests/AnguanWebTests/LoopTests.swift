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

@Suite("Closed loop over HTTP")
struct LoopTests {
    /// The state each action starts from.
    static let startState: [ProblemAction: ProblemState] = [
        .verify: .warned, .confirm: .verifying, .dismiss: .verifying, .push: .confirmed, .answer: .rectifying,
        .review: .answered, .close: .recheck, .sendBack: .recheck,
    ]
    static let roles: [(String, Role)] = [("anguan", .supervisor), ("fazhi", .legalOfficer), ("suozhang", .unitHead),
                                          ("minjing", .officer), ("jianchaguan", .prosecutor), ("admin", .admin)]

    @Test func everyTransitionForEveryRole() async throws {
        try await LoopFixture.withApp { client, services, users in
            var sessions: [String: Session] = [:]
            for (login, _) in Self.roles { sessions[login] = try await Session.login(client, login) }
            for action in Self.startState.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                let from = Self.startState[action]!
                for (login, role) in Self.roles {
                    let id = try await LoopFixture.problem(services, users, in: from)
                    let res = try await sessions[login]!.postJSON(client, "/api/v1/problems/\(id)/transitions",
                                                                  #"{"action": "\#(action.rawValue)", "comment": "说明", "workdays": 3}"#)
                    let expected: HTTPResponse.Status
                    if role == .prosecutor {
                        expected = .notFound  // the procuratorate does not see internal problems
                    } else if case .success = ProblemStateMachine.transition(from: from, action: action, by: role, comment: "x",
                                                                              deadline: Instant(seconds: 0)), role != .admin {
                        expected = .ok
                    } else {
                        expected = .conflict
                    }
                    #expect(res.status == expected, "\(login) \(action.rawValue) from \(from.rawValue): \(String(buffer: res.body))")
                    let state = try await services.desk.detail(id, for: try await LoopFixture.actor(services, "anguan"))!.summary.state
                    if expected == .ok {
                        let to = try ProblemStateMachine.transition(from: from, action: action, by: role, comment: "x", deadline: Instant(seconds: 0)).get()
                        #expect(state == to)
                    } else {
                        #expect(state == from, "a refused transition changes nothing")
                    }
                    if expected == .conflict {
                        let body = try json(res) as! [String: [String: Any]]
                        #expect(body["error"]?["code"] as? String == "conflict")
                        #expect((body["error"]?["message"] as? String)?.contains("无权") == true || (body["error"]?["message"] as? String)?.contains("不能") == true)
                    }
                }
            }
            // Wrong state: closing a problem still at 预警 is refused with the reason.
            let id = try await LoopFixture.problem(services, users, in: .warned)
            let res = try await sessions["anguan"]!.postJSON(client, "/api/v1/problems/\(id)/transitions", #"{"action": "close"}"#)
            #expect(res.status == .conflict)
            #expect(String(buffer: res.body).contains("问题处于「预警」状态，不能办结"))
            // A false positive needs its reason.
            let v = try await LoopFixture.problem(services, users, in: .verifying)
            let r2 = try await sessions["fazhi"]!.postJSON(client, "/api/v1/problems/\(v)/transitions", #"{"action": "dismiss"}"#)
            #expect(r2.status == .conflict)
            #expect(String(buffer: r2.body).contains("须填写理由"))
        }
    }

    @Test func anOfficerActsOnlyWhereResponsible() async throws {
        try await LoopFixture.withApp { client, services, users in
            let session = try await Session.login(client, "minjing")
            let own = try await LoopFixture.problem(services, users, in: .rectifying)
            let sup = try await LoopFixture.actor(services, "anguan")
            let other = try await services.desk.register(.init(source: .inspection, unitId: users.stationA, officerId: nil, description: "他人问题",
                                                               severity: .minor, category: "测试"), ruleName: nil, by: sup, at: LoopFixture.now)
            for a in [ProblemAction.verify, .confirm, .push] { try await services.desk.transition(other, .init(action: a), by: sup, at: LoopFixture.now) }
            let ok = try await session.postJSON(client, "/api/v1/problems/\(own)/transitions", #"{"action": "answer", "comment": "已整改"}"#)
            #expect(ok.status == .ok)
            // Read-only elsewhere in the unit: visible, but no action.
            #expect(try await session.get(client, "/api/v1/problems/\(other)").status == .ok)
            let refused = try await session.postJSON(client, "/api/v1/problems/\(other)/transitions", #"{"action": "answer", "comment": "x"}"#)
            #expect(refused.status == .conflict)
        }
    }

    @Test func anotherUnitsDataIsNotFound() async throws {
        try await LoopFixture.withApp { client, services, users in
            let b = try await Session.login(client, "suozhang2")
            let bLegal = try await Session.login(client, "fazhiB")
            let id = try await LoopFixture.problem(services, users, in: .rectifying)
            // Problems: page, JSON, transition, comment.
            #expect(try await b.get(client, "/problems/\(id)").status == .notFound)
            #expect(try await b.get(client, "/api/v1/problems/\(id)").status == .notFound)
            #expect(try await b.postJSON(client, "/api/v1/problems/\(id)/transitions", #"{"action": "answer", "comment": "x"}"#).status == .notFound)
            #expect(try await b.post(client, "/problems/\(id)/transition", form: "action=answer&comment=x").status == .notFound)
            #expect(try await b.postJSON(client, "/api/v1/problems/\(id)/comments", #"{"body": "x"}"#).status == .notFound)
            #expect(try await b.post(client, "/problems/\(id)/comments", form: "body=x").status == .notFound)
            // Cases: page and JSON.
            #expect(try await b.get(client, "/cases/\(users.caseA)").status == .notFound)
            #expect(try await b.get(client, "/api/v1/cases/\(users.caseA)").status == .notFound)
            #expect(try await b.get(client, "/cases/\(users.caseB)").status == .ok)
            // Worklist items of another unit.
            let item = try await services.store.read { db in
                try await db.raw("SELECT incident_id FROM el_incidents WHERE unit_id = \(bind: users.stationA) LIMIT 1").first()!
                    .decode(column: "incident_id", as: String.self)
            }
            #expect(try await bLegal.post(client, "/worklists/incidents/\(item)/reviewed", form: "").status == .notFound)
            // Lists never include it: not by filter, not by paging through.
            let list = try json(try await b.get(client, "/api/v1/problems?unit=\(users.stationA)")) as! [String: Any]
            #expect(list["total"] as? Int == 0)
            let all = try json(try await b.get(client, "/api/v1/problems?per_page=500")) as! [String: Any]
            let units = Set((all["items"] as! [[String: Any]]).compactMap { $0["unitId"] as? String })
            #expect(units == [users.stationB])
            let cases = try json(try await b.get(client, "/api/v1/cases?q=\(users.caseA)")) as! [String: Any]
            #expect(cases["total"] as? Int == 0)
            let html = String(buffer: try await b.get(client, "/problems?per_page=500").body)
            #expect(!html.contains("/problems/\(id)\""))
            // The procuratorate sees criminal cases only and no problems.
            let p = try await Session.login(client, "jianchaguan")
            #expect(try await p.get(client, "/api/v1/problems").status == .forbidden)
            let pc = try json(try await p.get(client, "/api/v1/cases?per_page=50")) as! [String: Any]
            #expect((pc["items"] as! [[String: Any]]).allSatisfy { $0["caseType"] as? String == "criminal" })
        }
    }

    @Test func formsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        try await LoopFixture.withApp { client, services, users in
            let s = try await Session.login(client, "anguan")
            let id = try await LoopFixture.problem(services, users, in: .warned)
            let none = try await s.post(client, "/problems/\(id)/transition", form: "action=verify", csrf: "")
            #expect(none.status == .forbidden)
            #expect(String(buffer: none.body).contains("CSRF"))
            let wrong = try await s.post(client, "/problems/\(id)/transition", form: "action=verify", csrf: "0123456789abcdef")
            #expect(wrong.status == .forbidden)
            var h = s.headers
            h[.contentType] = "application/json"
            let jsonNoToken = try await client.execute(uri: "/api/v1/problems/\(id)/transitions", method: .post, headers: h,
                                                       body: ByteBuffer(string: #"{"action": "verify"}"#))
            #expect(jsonNoToken.status == .forbidden)
            let detail = try await services.desk.detail(id, for: try await LoopFixture.actor(services, "anguan"))!
            #expect(detail.summary.state == .warned)
            let ok = try await s.post(client, "/problems/\(id)/transition", form: "action=verify")
            #expect(ok.status == .seeOther)
        }
    }

    @Test func sessionsExpireAfterInactivity() async throws {
        let clock = TestClock(LoopFixture.now)
        var options = WebOptions()
        options.sessionTimeoutSeconds = 8 * 3600
        try await LoopFixture.withApp(clock: clock, options: options) { client, _, _ in
            let s = try await Session.login(client, "anguan")
            clock.advance(hours: 7)
            #expect(try await s.get(client, "/").status == .ok)
            clock.advance(hours: 7)  // 7 h after the last request: still inside 8 h
            #expect(try await s.get(client, "/").status == .ok)
            clock.advance(hours: 9)
            let res = try await s.get(client, "/")
            #expect(res.status == .seeOther)
            #expect(res.headers[.location]?.hasPrefix("/login?expired=1") == true)
            let login = try await s.get(client, res.headers[.location]!)
            #expect(String(buffer: login.body).contains("会话已超时"))
            #expect(try await s.get(client, "/api/v1/problems").status == .unauthorized)
        }
    }

    @Test func failedLoginsAreLimited() async throws {
        try await LoopFixture.withApp { client, _, _ in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            for _ in 0..<5 {
                let r = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "login=anguan&password=wrong-one"))
                #expect(r.status == .unauthorized)
                #expect(String(buffer: r.body).contains("登录名或密码错误"))
            }
            let blocked = try await client.execute(uri: "/login", method: .post, headers: form,
                                                   body: ByteBuffer(string: "login=anguan&password=\(LoopFixture.password)"))
            #expect(blocked.status == .tooManyRequests)
            #expect(String(buffer: blocked.body).contains("登录失败次数过多"))
            #expect(blocked.headers[.setCookie] == nil)
        }
    }

    @Test func apiTokensSignInMachinesAndErrorsAreChineseJSON() async throws {
        try await LoopFixture.withApp { client, services, _ in
            let token = try await services.accounts.createToken(login: "anguan", name: "ci", by: "test")
            let ok = try await client.execute(uri: "/api/v1/dashboard", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(ok.status == .ok)
            let board = try json(ok) as! [String: Any]
            #expect((board["open"] as? Int ?? 0) > 0)
            let bad = try await client.execute(uri: "/api/v1/dashboard", method: .get, headers: [.authorization: "Bearer ag_nope"])
            #expect(bad.status == .unauthorized)
            let filter = try await client.execute(uri: "/api/v1/problems?severity=huge", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(filter.status == .badRequest)
            let e = try json(filter) as! [String: [String: Any]]
            #expect(e["error"]?["code"] as? String == "invalid_input")
            #expect((e["error"]?["message"] as? String)?.contains("严重程度") == true)
            try await services.accounts.setDisabled(login: "anguan", true, by: "test")
            let revoked = try await client.execute(uri: "/api/v1/dashboard", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(revoked.status == .unauthorized)
        }
    }

    @Test func pagesSpeakChineseFirstAndEnglishOnRequest() async throws {
        try await LoopFixture.withApp { client, services, users in
            let s = try await Session.login(client, "anguan")
            let zh = String(buffer: try await s.get(client, "/").body)
            #expect(zh.contains("<html lang=\"zh-CN\">"))
            #expect(zh.contains("问题状态"))
            #expect(zh.contains(">English</a>"))
            #expect(zh.contains("href=\"/lang/en?next=%2F\""))
            let switched = try await client.execute(uri: "/lang/en?next=%2Fproblems%3Fstate%3Dwarned", method: .get, headers: [.cookie: s.cookie])
            #expect(switched.status == .seeOther)
            #expect(switched.headers[.location] == "/problems?state=warned")
            let lang = String(try #require(switched.headers[.setCookie]).split(separator: ";")[0])
            let headers: HTTPFields = [.cookie: s.cookie + "; " + lang]
            let en = String(buffer: try await client.execute(uri: "/", method: .get, headers: headers).body)
            #expect(en.contains("<html lang=\"en\">"))
            #expect(en.contains("Problems by state"))
            #expect(en.contains(">Warning<"))
            #expect(en.contains(">中文</a>"))
            #expect(!en.contains("问题状态"))
            let list = String(buffer: try await client.execute(uri: "/problems", method: .get, headers: headers).body)
            #expect(list.contains("Export CSV"))
            let id = try await LoopFixture.problem(services, users, in: .verifying)
            let detail = String(buffer: try await client.execute(uri: "/problems/\(id)", method: .get, headers: headers).body)
            #expect(detail.contains("Why this problem was found"))
            #expect(detail.contains("测试问题"), "what people wrote stays as written")
            // An unknown language is not found; only a local page follows the switch.
            #expect(try await client.execute(uri: "/lang/fr", method: .get, headers: [.cookie: s.cookie]).status == .notFound)
            let outside = try await client.execute(uri: "/lang/zh?next=https%3A%2F%2Fevil.example%2Fx", method: .get, headers: [.cookie: s.cookie])
            #expect(outside.headers[.location] == "/")
        }
    }

    @Test func securityHeadersOnEveryPage() async throws {
        try await LoopFixture.withApp { client, _, _ in
            let res = try await client.execute(uri: "/login", method: .get)
            #expect(res.headers[.xContentTypeOptions] == "nosniff")
            #expect(res.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(String(buffer: res.body).contains("请使用本人账号登录"))
            let redirect = try await client.execute(uri: "/problems", method: .get)
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers[.location] == "/login?next=%2Fproblems")
            // Behind a TLS-terminating proxy the session cookie is Secure.
            let tls = try await client.execute(uri: "/login", method: .post,
                                               headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Forwarded-Proto")!: "https"],
                                               body: ByteBuffer(string: "login=anguan&password=\(LoopFixture.password)"))
            #expect(tls.headers[.setCookie]?.contains("Secure") == true)
            let plain = try await Session.login(client, "fazhi")
            #expect(!plain.cookie.isEmpty)
        }
    }
}
