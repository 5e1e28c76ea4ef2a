import AnguanCore
import AnguanStore
import AnguanTestSupport
import Foundation
import Testing

@Suite("Crash safety")
struct CrashTests {
    @Test("an import killed with SIGKILL half-way leaves the previous state; running it again completes")
    func killedImport() async throws {
        let tdb = try await TestDatabase.make(.sqlite)!
        let binary = packageRoot + "/.build/debug/anguan"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the anguan binary first")
        let store = try await tdb.open()
        _ = try await Importer(store: store).run(folder: FixtureFolder().path)
        let before = try await snapshot(store)
        await store.close()

        let demo = tdb.directory + "/demo"
        try DemoGenerator(seed: 3, scale: 3, now: Instant.parse("2026-11-20 12:00")!).generate(to: demo)
        guard case .sqlite(let path) = tdb.url else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["import", demo, "--db", "sqlite:" + path, "--log-level", "error"]
        let out = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = out
        try p.run()
        // With output redirected the import reports on stderr as each file is read; the transaction
        // commits only after the last one. Kill it once persons.csv is done: half-way, whatever
        // the machine's speed.
        let reader = out.fileHandleForReading
        let sawPersons = await Task.detached {
            var text = ""
            while true {
                let data = reader.availableData
                if data.isEmpty { return false }
                text += String(decoding: data, as: UTF8.self)
                if text.contains("persons.csv:") { return true }
            }
        }.value
        #expect(sawPersons)
        #expect(p.isRunning, "the import finished before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)

        try await tdb.withStore { after in
        let check = try await after.read { db in
            try await db.raw("PRAGMA integrity_check").first()!.decode(column: "integrity_check", as: String.self)
        }
        #expect(check == "ok")
        #expect(try await snapshot(after) == before)
        let runs = try await Queries(store: after).importRuns()
        #expect(runs.first?.outcome == "running")  // shown as interrupted
        let report = try await Importer(store: after).run(folder: demo)
        #expect(report.outcome == .committed)
        #expect(try await snapshot(after)["incidents"]! > before["incidents"]!)
        }
    }
}
