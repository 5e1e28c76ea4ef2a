import AnguanCore
import AnguanStore
import AnguanTestSupport
import Foundation
import Testing

@Suite("Demo accounts")
struct DemoUsersTests {
    @Test func onlyTheDemoBranchGetsDemoAccounts() async throws {
        let tdb = try await TestDatabase.make(.sqlite)!
        try await tdb.withStore { store in
            // Real data (any other folder): no accounts.
            _ = try await Importer(store: store).run(folder: try FixtureFolder().path)
            let accounts = Accounts(store: store, cost: 4)
            #expect(try await DemoUsers(accounts: accounts).createIfNone().isEmpty)
            #expect(try await accounts.count() == 0)
        }
        let demo = try await TestDatabase.make(.sqlite)!
        try await demo.withStore { store in
            let folder = NSTemporaryDirectory() + DemoUsers.folderMarker + UUID().uuidString.prefix(8)
            try DemoGenerator(seed: 1, scale: 0.2, now: Instant.parse("2026-11-20 10:00")!).generate(to: folder)
            _ = try await Importer(store: store).run(folder: folder)
            let accounts = Accounts(store: store, cost: 4)
            let created = try await DemoUsers(accounts: accounts).createIfNone()
            #expect(Set(created.map(\.role)) == [.supervisor, .legalOfficer, .unitHead, .officer, .prosecutor, .admin])
            #expect(created.allSatisfy { $0.password.count == 12 })
            #expect(Set(created.map(\.password)).count == created.count, "every password is its own")
            for u in created { #expect(try await accounts.authenticate(login: u.login, password: u.password, from: "test") != nil) }
            // Printed once: a second start creates nothing.
            #expect(try await DemoUsers(accounts: accounts).createIfNone().isEmpty)
            let officer = try await accounts.list().first { $0.role == .officer }
            #expect(officer?.officerId != nil && officer?.unitId != nil)
        }
    }
}
