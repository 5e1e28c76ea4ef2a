import AnguanCore
import AnguanStore
import AnguanTestSupport
import AnguanWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// A clock a test can move.
final class TestClock: Sendable {
    private let value: Mutex<Instant>
    init(_ start: Instant) { value = Mutex(start) }
    var now: Instant { value.withLock { $0 } }
    func advance(hours: Int64) { value.withLock { $0 = $0.adding(hours: hours) } }
}

/// The demo branch (seed 1, scale 1, as of 2026-11-20 10:00 CST) imported and patrolled once, with one user
/// per role, copied into a fresh SQLite file for each test.
enum LoopFixture {
    static let now = Instant.parse("2026-11-20 10:00")!
    static let password = "test-pass-123"

    struct Users: Sendable {
        let stationA: String
        let stationB: String
        let officerA: String
        let caseA: String
        let caseB: String
    }

    /// Built once per test process.
    private static let template = Mutex<Task<(String, Users), any Error>?>(nil)

    static func build() async throws -> (String, Users) {
        let task = template.withLock { t -> Task<(String, Users), any Error> in
            if let t { return t }
            let n = Task { try await makeTemplate() }
            t = n
            return n
        }
        return try await task.value
    }

    private static func makeTemplate() async throws -> (String, Users) {
        let dir = NSTemporaryDirectory() + "anguan-loop-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DemoGenerator(seed: 1, scale: 1, now: now).generate(to: dir + "/demo")
        let path = dir + "/template.sqlite"
        let store = try await Store.open(.sqlite(path: path), logger: quietLogger)
        _ = try await Importer(store: store).run(folder: dir + "/demo")
        let calendar = try HolidayCalendar.shipped()
        _ = try await PatrolRunner(store: store, catalog: try Catalog.load(), calendar: calendar).run(now: now)
        let picks = try await store.read { db in
            // Two stations with problems; in A an officer answering for problems, and a case of each.
            let stations = try await db.raw("""
                SELECT u.unit_id FROM el_units u WHERE u.kind = 'station'
                ORDER BY (SELECT COUNT(*) FROM problems p WHERE p.unit_id = u.unit_id) DESC, u.unit_id LIMIT 2
                """).all().map { try $0.decode(column: "unit_id", as: String.self) }
            let officer = try await db.raw("""
                SELECT o.officer_id FROM el_officers o WHERE o.unit_id = \(bind: stations[0])
                ORDER BY (SELECT COUNT(*) FROM problems p WHERE p.officer_id = o.officer_id) DESC, o.officer_id LIMIT 1
                """).first()!.decode(column: "officer_id", as: String.self)
            let caseA = try await db.raw("SELECT case_id FROM el_cases WHERE unit_id = \(bind: stations[0]) ORDER BY case_id LIMIT 1").first()!
                .decode(column: "case_id", as: String.self)
            let caseB = try await db.raw("SELECT case_id FROM el_cases WHERE unit_id = \(bind: stations[1]) ORDER BY case_id LIMIT 1").first()!
                .decode(column: "case_id", as: String.self)
            let center = try await db.raw("SELECT unit_id FROM el_units WHERE kind = 'center' LIMIT 1").first()?.decode(column: "unit_id", as: String.self)
            return (Users(stationA: stations[0], stationB: stations[1], officerA: officer, caseA: caseA, caseB: caseB), center)
        }
        let users = picks.0
        let accounts = Accounts(store: store, cost: 4)
        try await accounts.add(login: "anguan", name: "案管甲", role: .supervisor, unitId: picks.1, password: password, by: "test")
        try await accounts.add(login: "fazhi", name: "法制乙", role: .legalOfficer, unitId: nil, password: password, by: "test")
        try await accounts.add(login: "suozhang", name: "所长丙", role: .unitHead, unitId: users.stationA, password: password, by: "test")
        try await accounts.add(login: "minjing", name: "民警丁", role: .officer, unitId: users.stationA, officerId: users.officerA,
                               password: password, by: "test")
        try await accounts.add(login: "suozhang2", name: "所长戊", role: .unitHead, unitId: users.stationB, password: password, by: "test")
        try await accounts.add(login: "fazhiB", name: "法制己", role: .legalOfficer, unitId: users.stationB, password: password, by: "test")
        try await accounts.add(login: "jianchaguan", name: "检察官庚", role: .prosecutor, unitId: nil, password: password, by: "test")
        try await accounts.add(login: "admin", name: "管理员辛", role: .admin, unitId: nil, password: password, by: "test")
        await store.close()
        return (path, users)
    }

    /// A fresh copy of the fixture database, its services (bcrypt cost 4, a movable clock) and users.
    static func services(clock: TestClock = TestClock(now), options: WebOptions = WebOptions()) async throws -> (WebServices, Users) {
        let (template, users) = try await build()
        let path = NSTemporaryDirectory() + "anguan-loop-\(UUID().uuidString.prefix(8)).sqlite"
        try FileManager.default.copyItem(atPath: template, toPath: path)
        let store = try await Store.open(.sqlite(path: path), logger: quietLogger)
        let services = try await WebServices(store: store, calendar: try HolidayCalendar.shipped(), options: options, bcryptCost: 4,
                                             now: { clock.now })
        return (services, users)
    }

    static func withApp(clock: TestClock = TestClock(now), options: WebOptions = WebOptions(),
                        _ body: @Sendable (any TestClientProtocol, WebServices, Users) async throws -> Void) async throws {
        let (services, users) = try await Self.services(clock: clock, options: options)
        let app = buildApplication(services: services, configuration: .init(host: "127.0.0.1", port: 0), logger: quietLogger)
        do {
            try await app.test(.router) { client in try await body(client, services, users) }
        } catch {
            await services.store.close()
            throw error
        }
        await services.store.close()
    }

    /// A problem registered by hand in station A, answered for by the officer of `minjing`.
    static func problem(_ services: WebServices, _ users: Users, in state: ProblemState) async throws -> Int64 {
        let sup = try await services.accounts.actor(userId: 1)!
        let head = try await actor(services, "suozhang")
        let id = try await services.desk.register(
            .init(source: .inspection, unitId: users.stationA, officerId: users.officerA, description: "测试问题", severity: .major, category: "测试"),
            ruleName: nil, by: sup, at: now)
        let path: [(ProblemAction, Actor)] = switch state {
        case .warned: []
        case .verifying: [(.verify, sup)]
        case .confirmed: [(.verify, sup), (.confirm, sup)]
        case .rectifying: [(.verify, sup), (.confirm, sup), (.push, sup)]
        case .answered: [(.verify, sup), (.confirm, sup), (.push, sup), (.answer, head)]
        case .recheck: [(.verify, sup), (.confirm, sup), (.push, sup), (.answer, head), (.review, sup)]
        default: []
        }
        for (a, who) in path {
            try await services.desk.transition(id, .init(action: a, comment: "测试说明"), by: who, at: now)
        }
        return id
    }

    static func actor(_ services: WebServices, _ login: String) async throws -> Actor {
        let u = try await services.accounts.list().first { $0.login == login }!
        return try await services.accounts.actor(userId: u.id)!
    }
}

/// A signed-in browser session against the router: its cookie and CSRF token.
struct Session: Sendable {
    let cookie: String
    let csrf: String

    static func login(_ client: any TestClientProtocol, _ login: String, password: String = LoopFixture.password) async throws -> Session {
        let res = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                           body: ByteBuffer(string: "login=\(login)&password=\(password)&next=/"))
        #expect(res.status == .seeOther, "login \(login)")
        let setCookie = try #require(res.headers[.setCookie])
        let cookie = String(setCookie.split(separator: ";")[0])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Lax"))
        // The CSRF token is in every page's forms.
        let page = try await client.execute(uri: "/cases", method: .get, headers: [.cookie: cookie])
        let html = String(buffer: page.body)
        let marker = "name=\"_csrf\" value=\""
        let start = try #require(html.range(of: marker)).upperBound
        let csrf = String(html[start...].prefix { $0 != "\"" })
        return Session(cookie: cookie, csrf: csrf)
    }

    var headers: HTTPFields { [.cookie: cookie] }

    func get(_ client: any TestClientProtocol, _ uri: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers)
    }

    func post(_ client: any TestClientProtocol, _ uri: String, form: String, csrf: String? = nil) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/x-www-form-urlencoded"
        let token = csrf ?? self.csrf
        let body = (token.isEmpty ? "" : "_csrf=\(token)&") + form
        return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
    }

    func postJSON(_ client: any TestClientProtocol, _ uri: String, _ json: String) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/json"
        h[HTTPField.Name("X-CSRF-Token")!] = csrf
        return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: json))
    }
}

func json(_ res: TestResponse) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(buffer: res.body))
}
