import AnguanCore
import AnguanStore
import AnguanTestSupport
import Foundation
import Testing

@Suite("Patrol over the store")
struct PatrolStoreTests {
    let catalog = try! Catalog.load()
    let calendar = try! HolidayCalendar.shipped()

    func problems(_ store: Store) async throws -> [(identity: String, state: String)] {
        try await store.read { db in
            try await db.raw("SELECT identity, state FROM problems ORDER BY identity").all().map {
                (try $0.decode(column: "identity", as: String.self), try $0.decode(column: "state", as: String.self))
            }
        }
    }

    @Test("three patrols create no duplicate; a corrected record moves its problem to 复核", arguments: Backend.allCases)
    func problemSync(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        try await tdb.withStore { store in
            var folder = try FixtureFolder()
            _ = try await Importer(store: store).run(folder: folder.path)
            let runner = PatrolRunner(store: store, catalog: catalog, calendar: calendar)
            let now = Instant.parse("2026-03-20 12:00")!
            let first = try await runner.run(now: now)
            // RY1 was captured and detained but never entered the case-handling area.
            #expect(first.counts["capture_not_in_center"]?[.missing] == 1)
            #expect(first.opened == first.findingCount)
            #expect(first.findingCount > 0)
            _ = try await runner.run(now: now)
            let third = try await runner.run(now: now)
            #expect(third.opened == 0)
            #expect(third.persisting == first.findingCount)
            let rows = try await problems(store)
            #expect(rows.count == first.findingCount)
            #expect(Set(rows.map(\.identity)).count == rows.count)
            #expect(rows.allSatisfy { $0.state == "warned" })

            // The data is corrected: RY1's visit arrives.
            folder.files["venue_visits.csv"] = """
                visit_id,person_id,case_id,entered_at,left_at,security_check_at,health_check_at,left_to
                RQ1,RY1,AJ1,2026-03-01 15:30,2026-03-01 20:00,2026-03-01 15:35,2026-03-01 15:40,detention_house

                """
            try folder.write()
            _ = try await Importer(store: store).run(folder: folder.path)
            let fourth = try await runner.run(now: now)
            #expect(fourth.gone == 1)
            let after = try await problems(store)
            #expect(after.count == rows.count)  // never deleted
            #expect(after.first { $0.identity == "capture_not_in_center|RY1" }?.state == "recheck")
            let events = try await store.read { db in
                try await db.raw("""
                    SELECT e.action, e.to_state FROM problem_events e JOIN problems p ON p.id = e.problem_id
                    WHERE p.identity = 'capture_not_in_center|RY1' ORDER BY e.seq
                    """).all().map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(events == ["opened", "finding_gone"])
        }
    }

    @Test("SQLite and PostgreSQL give byte-identical exports, stable across runs")
    func sameFindingsOnBothDatabases() async throws {
        let demo = NSTemporaryDirectory() + "anguan-patrol-demo-\(UUID().uuidString.prefix(6))"
        try DemoGenerator(seed: 11, scale: 0.3, now: Instant.parse("2026-11-20 12:00")!).generate(to: demo)
        var exports: [String] = []
        for backend in Backend.allCases {
            guard let tdb = try await TestDatabase.make(backend) else { continue }
            try await tdb.withStore { store in
                _ = try await Importer(store: store).run(folder: demo)
                let runner = PatrolRunner(store: store, catalog: catalog, calendar: calendar)
                let now = Instant.parse("2026-11-20 12:00")!
                let a = try await runner.findings(now: now).findings.map(\.exportLine).joined(separator: "\n")
                let b = try await runner.findings(now: now).findings.map(\.exportLine).joined(separator: "\n")
                #expect(a == b)
                // The patrol's own export (streamed from the problems it synced) says the same.
                let path = tdb.directory + "/findings.jsonl"
                _ = try await runner.run(now: now, export: path)
                let streamed = try String(contentsOfFile: path, encoding: .utf8)
                #expect(streamed == a + "\n")
                _ = try await runner.run(now: now, export: path)
                #expect(try String(contentsOfFile: path, encoding: .utf8) == streamed)
                #expect(a.split(separator: "\n").count > 100)
                exports.append(a)
            }
        }
        if exports.count == 2 { #expect(exports[0] == exports[1]) }
        // Sorted by rule id, then subject ids.
        let lines = exports[0].split(separator: "\n").map(String.init)
        let keys = lines.map { l -> String in
            let rule = l.components(separatedBy: "\"rule_id\":\"")[1].components(separatedBy: "\"")[0]
            let ids = l.components(separatedBy: "\"subject_ids\":[")[1].components(separatedBy: "]")[0]
            return rule + "\u{1}" + ids
        }
        #expect(keys == keys.sorted())
    }
}

@Suite("Patrol across cases")
struct PatrolAcrossCasesTests {
    @Test("a transcript naming a person of another case still sees the person's age", arguments: Backend.allCases)
    func personOfAnotherCase(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        try await tdb.withStore { store in
            var files = FixtureFolder.valid
            files["cases.csv"]! += "AJ2,administrative,殴打他人,,U01,032101,2026-03-03 10:00,,,handling,,,\n"
            files["persons.csv"]! += "RY3,AJ1,witness,孙八,,M,2010-01-01,\n"
            files["transcripts.csv"]! += "BL3,AJ2,RY3,inquiry,2026-03-03 11:00,2026-03-03 11:30,032101;032102,,1,,问：答：\n"
            let folder = try FixtureFolder(files)
            _ = try await Importer(store: store).run(folder: folder.path)
            let runner = PatrolRunner(store: store, catalog: try Catalog.load(), calendar: try HolidayCalendar.shipped())
            let found = try await runner.findings(now: Instant.parse("2026-03-20 12:00")!, only: ["minor_guardian_absent"]).findings
            #expect(found.map(\.subjectIds) == [["BL3"]])
            #expect(found.first?.caseId == "AJ2")
        }
    }
}
