import AnguanCore
import Foundation
import AnguanStore
import AnguanTestSupport
import Testing

@Suite("Closed loop storage on both databases")
struct LoopStoreTests {
    @Test(arguments: Backend.allCases)
    func transitionsEventsAndTheAuditChain(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        try await tdb.withStore { store in
            _ = try await Importer(store: store).run(folder: try FixtureFolder().path)
            let accounts = Accounts(store: store, cost: 4)
            try await accounts.add(login: "anguan", name: "案管", role: .supervisor, unitId: "U00", password: "password-1", by: "test")
            try await accounts.add(login: "suozhang", name: "所长", role: .unitHead, unitId: "U01", password: "password-1", by: "test")
            await #expect(throws: LoopError.conflict("登录名 anguan 已存在")) {
                try await accounts.add(login: "anguan", name: "x", role: .admin, unitId: nil, password: "password-1", by: "test")
            }
            #expect(try await accounts.authenticate(login: "anguan", password: "password-1", from: "test") != nil)
            #expect(try await accounts.authenticate(login: "anguan", password: "nope-nope", from: "test") == nil)
            let users = try await accounts.list()
            let sup = try #require(try await accounts.actor(userId: users.first { $0.login == "anguan" }!.id))
            let head = try #require(try await accounts.actor(userId: users.first { $0.login == "suozhang" }!.id))
            #expect(head.scope == .unit("U01"))
            let desk = ProblemDesk(store: store, calendar: try HolidayCalendar.shipped())
            let now = Instant.parse("2026-03-10 09:00")!
            let id = try await desk.register(.init(source: .healthCheck, unitId: "U01", officerId: "032101", caseId: "AJ1",
                                                   description: "体检式检查：讯问未全程录音录像", severity: .grave, category: "同步录音录像"),
                                             ruleName: nil, by: sup, at: now)
            for (a, who) in [(ProblemAction.verify, sup), (.confirm, sup), (.push, sup)] {
                try await desk.transition(id, .init(action: a, comment: "ok"), by: who, at: now)
            }
            await #expect(throws: LoopError.refused(.reasonRequired(.answer))) {
                try await desk.transition(id, .init(action: .answer), by: head, at: now)
            }
            try await desk.transition(id, .init(action: .answer, comment: "已补录"), by: head, at: now)
            try await desk.transition(id, .init(action: .review), by: sup, at: now)
            try await desk.transition(id, .init(action: .sendBack, comment: "补录不完整"), by: sup, at: now)
            try await desk.transition(id, .init(action: .answer, comment: "已全部补录"), by: head, at: now)
            try await desk.transition(id, .init(action: .review), by: sup, at: now)
            #expect(try await desk.transition(id, .init(action: .close), by: sup, at: now) == .closed)
            let d = try #require(try await desk.detail(id, for: sup))
            #expect(d.events.map(\.action) == ["registered", "verify", "confirm", "push", "answer", "review", "send_back", "answer", "review", "close"])
            #expect(d.events.allSatisfy { $0.at == now })
            #expect(d.events[6].comment == "补录不完整")
            #expect(d.summary.state == .closed)
            // The unit head sees it; nobody outside U01 would.
            #expect(try await desk.detail(id, for: head) != nil)
            let v = try await AuditLog.verify(store: store)
            #expect(v.ok)
            #expect(v.checked >= 13)
            // Append-only from the application on both databases.
            await #expect(throws: (any Error).self) {
                try await store.write { s in try await s.sql.raw("DELETE FROM audit_log WHERE seq = 2").run() }
            }
            #expect(try await AuditLog.verify(store: store).ok)
            // Tampering with the guard removed is found.
            try await store.write { s in
                switch s.dialect {
                case .sqlite: try await s.sql.raw("DROP TRIGGER audit_log_no_update").run()
                case .postgres: try await s.sql.raw("DROP TRIGGER audit_log_append_only ON audit_log").run()
                }
                try await s.sql.raw("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 7").run()
            }
            #expect(try await AuditLog.verify(store: store).problem == .edited(seq: 7))
        }
    }

    @Test(arguments: Backend.allCases)
    func listsAndTheDashboardReadTheSameOnBothDatabases(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        try await tdb.withStore { store in
            _ = try await Importer(store: store).run(folder: try FixtureFolder().path)
            let calendar = try HolidayCalendar.shipped()
            let now = Instant.parse("2026-03-10 09:00")!
            _ = try await PatrolRunner(store: store, catalog: try Catalog.load(), calendar: calendar).run(now: now)
            let accounts = Accounts(store: store, cost: 4)
            try await accounts.add(login: "anguan", name: "案管", role: .supervisor, unitId: "U00", password: "password-1", by: "test")
            try await accounts.add(login: "other", name: "他所", role: .unitHead, unitId: "U00", password: "password-1", by: "test")
            let users = try await accounts.list()
            let sup = try #require(try await accounts.actor(userId: users.first { $0.login == "anguan" }!.id))
            let other = try #require(try await accounts.actor(userId: users.first { $0.login == "other" }!.id))
            let desk = ProblemDesk(store: store, calendar: calendar)
            var f = ProblemDesk.Filter()
            f.perPage = 2
            let page = try await desk.list(f, for: sup)
            #expect(page.total > 2)
            #expect(page.items.count == 2)
            #expect(page.items.allSatisfy { $0.unitId == "U01" && $0.unitName == "南大街派出所" && $0.state == .warned })
            #expect(page.items[0].firstSeenAt.seconds > 0)
            // The unit head of another unit (the 分局 itself here) sees none of U01's problems.
            #expect(try await desk.list(f, for: other).total == 0)
            let board = try await Dashboard.load(desk, for: sup, now: now)
            #expect(board.open == page.total)
            #expect(board.byUnit.map(\.unitId) == ["U01"])
            #expect(board.byUnit.first?.unitName == "南大街派出所")
            let empty = try await Dashboard.load(desk, for: other, now: now)
            #expect(empty.open == 0 && empty.byUnit.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func aTransitionDuringAPatrolIsNeitherLostNorLosesThePatrol(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        try await tdb.withStore { store in
            let folder = NSTemporaryDirectory() + "anguan-concurrent-\(UUID().uuidString.prefix(8))"
            let now = Instant.parse("2026-11-20 10:00")!
            try DemoGenerator(seed: 2, scale: 0.5, now: now).generate(to: folder)
            _ = try await Importer(store: store).run(folder: folder)
            let calendar = try HolidayCalendar.shipped()
            let runner = PatrolRunner(store: store, catalog: try Catalog.load(), calendar: calendar)
            _ = try await runner.run(now: now)
            let accounts = Accounts(store: store, cost: 4)
            try await accounts.add(login: "anguan", name: "案管", role: .supervisor, unitId: nil, password: "password-1", by: "test")
            let sup = try #require(try await accounts.actor(userId: try await accounts.list()[0].id))
            let desk = ProblemDesk(store: store, calendar: calendar)
            var f = ProblemDesk.Filter()
            f.perPage = 20
            let ids = try await desk.list(f, for: sup).items.map(\.id)
            // Patrols and transitions at the same time: every transition stays, every patrol finishes.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await runner.run(now: now) }
                group.addTask { for id in ids { try await desk.transition(id, .init(action: .verify), by: sup, at: now) } }
                group.addTask { _ = try await runner.run(now: now) }
                try await group.waitForAll()
            }
            for id in ids {
                let d = try #require(try await desk.detail(id, for: sup))
                #expect(d.summary.state == .verifying, "problem \(id)")
                #expect(Set(d.events.map(\.seq)).count == d.events.count)
            }
            #expect(try await AuditLog.verify(store: store).ok)
        }
    }
}
