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

@Suite("anguan user and anguan audit")
struct UserCommandTests {
    func run(_ args: [String], input: String = "") throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: packageRoot + "/.build/debug/anguan")
        p.arguments = args + ["--log-level", "error"]
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = stdin
        p.standardOutput = out
        p.standardError = err
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test func addPasswdDisableAndVerify() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: packageRoot + "/.build/debug/anguan"), "build the anguan binary first")
        let tdb = try await TestDatabase.make(.sqlite)!
        try await tdb.withStore { store in _ = try await Importer(store: store).run(folder: try FixtureFolder().path) }
        guard case .sqlite(let path) = tdb.url else { return }
        let db = ["--db", "sqlite:" + path]
        let added = try run(["user", "add", "wangwu", "--name", "王五", "--role", "unit_head", "--unit", "U01"] + db, input: "first-pass-1\n")
        #expect(added.status == 0, "\(added.err)")
        #expect(added.out.contains("added wangwu (所队长)"))
        let noUnit = try run(["user", "add", "zhaoliu", "--name", "赵六", "--role", "officer"] + db, input: "first-pass-1\n")
        #expect(noUnit.status != 0)
        #expect(noUnit.err.contains("民警须指定所属单位"))
        let badRole = try run(["user", "add", "x1", "--name", "x", "--role", "chief"] + db, input: "first-pass-1\n")
        #expect(badRole.status != 0)
        #expect(badRole.err.contains("role \"chief\""))
        let short = try run(["user", "passwd", "wangwu"] + db, input: "short\n")
        #expect(short.status != 0)
        #expect(short.err.contains("密码至少 8 位"))
        #expect(try run(["user", "passwd", "wangwu"] + db, input: "second-pass-2\n").status == 0)
        #expect(try run(["user", "disable", "wangwu"] + db).status == 0)
        let list = try run(["user", "list"] + db)
        #expect(list.out.contains("wangwu\t王五\tunit_head\tU01\t-\tdisabled"))
        try await tdb.withStore { store in
            let accounts = Accounts(store: store, cost: 4)
            #expect(try await accounts.authenticate(login: "wangwu", password: "second-pass-2", from: "test") == nil, "disabled")
            try await accounts.setDisabled(login: "wangwu", false, by: "test")
            #expect(try await accounts.authenticate(login: "wangwu", password: "second-pass-2", from: "test") != nil)
        }
        let verify = try run(["audit", "verify"] + db)
        #expect(verify.status == 0)
        #expect(verify.out.contains("audit log OK"))
    }
}
