import AnguanCore
import AnguanStore
import AnguanTestSupport
import Foundation
import SQLKit
import Testing

/// Counts of every element table: "the database is unchanged" means these are equal.
func snapshot(_ store: Store) async throws -> [String: Int] {
    var d: [String: Int] = [:]
    for (k, n) in try await Queries(store: store).elementCounts() { d[k.rawValue] = n }
    return d
}

@Suite("Import and export")
struct ImportTests {
    @Test("a valid folder imports; re-import changes nothing", arguments: Backend.allCases)
    func importsAndReimports(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        let folder = try FixtureFolder()
        let report = try await Importer(store: store).run(folder: folder.path)
        #expect(report.outcome == .committed)
        #expect(report.inserted == 14)
        let counts = try await snapshot(store)
        #expect(counts["el_units".replacingOccurrences(of: "el_", with: "")] == 2)
        #expect(counts["transcripts"] == 2)
        let again = try await Importer(store: store).run(folder: folder.path)
        #expect(again.inserted == 0)
        #expect(again.updated == 0)
        #expect(again.unchanged == 14)
        // Stored as exact instants: 2026-03-02T08:00:00+08:00 and the CST form agree.
        let rows = try await store.read { db in
            try await db.raw("SELECT received_at, summary FROM el_incidents WHERE incident_id = 'JQ2'").all()
        }
        #expect(try rows[0].decode(column: "received_at", as: Int64.self) == Instant.parse("2026-03-02 08:00")!.seconds)
        #expect(try rows[0].decode(column: "summary", as: String.self) == "邻里纠纷\n已调解")
        let text = try await store.read { db in
            try await db.raw("SELECT text, officer_ids FROM el_transcripts WHERE transcript_id = 'BL1'").all()
        }
        #expect(try text[0].decode(column: "text", as: String.self) == "问：你为什么被带到这里？\n答：我拿了别人的手机。\n")
        let runs = try await Queries(store: store).importRuns()
        #expect(runs.count == 2)
        #expect(runs[1].files.count == 7)
        #expect(runs[1].files.allSatisfy { $0.sha256.count == 64 })
        await store.close()
    }

    @Test("a record stored with the earlier FNV-1a content hash still counts as unchanged", arguments: Backend.allCases)
    func legacyHashes(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        let folder = try FixtureFolder()
        _ = try await Importer(store: store).run(folder: folder.path)
        // Store the units as an earlier version did.
        let legacy = try await store.write { s in
            var hashes: [String: Int64] = [:]
            for row in try await s.sql.raw("SELECT unit_id, name, kind, parent_id FROM el_units").all() {
                let values: [StoredValue?] = try ["unit_id", "name", "kind", "parent_id"].map { c in
                    try row.decode(column: c, as: String?.self).map { .text($0) }
                }
                let id = try row.decode(column: "unit_id", as: String.self)
                hashes[id] = ContentHash.legacy(values)
                #expect(ContentHash.of(values) != hashes[id])
                try await s.sql.raw("UPDATE el_units SET _hash = \(bind: hashes[id]!) WHERE unit_id = \(bind: id)").run()
            }
            return hashes
        }
        #expect(legacy.count == 2)
        let again = try await Importer(store: store).run(folder: folder.path)
        #expect(again.unchanged == 14 && again.updated == 0 && again.inserted == 0)
        let stored = try await store.read { db in
            try await db.raw("SELECT unit_id, _hash FROM el_units").all().map {
                (try $0.decode(column: "unit_id", as: String.self), try $0.decode(column: "_hash", as: Int64.self))
            }
        }
        #expect(Dictionary(uniqueKeysWithValues: stored) == legacy)  // nothing was rewritten
        await store.close()
    }

    @Test("a changed record is updated and counted as updated", arguments: Backend.allCases)
    func updates(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        var folder = try FixtureFolder()
        _ = try await Importer(store: store).run(folder: folder.path)
        folder.files["units.csv"] = folder.files["units.csv"]!.replacingOccurrences(of: "南大街派出所", with: "南大街派出所(新)")
        try folder.write()
        let report = try await Importer(store: store).run(folder: folder.path)
        #expect(report.updated == 1)
        #expect(report.unchanged == 13)
        await store.close()
    }

    @Test("export → import → export is byte-identical", arguments: Backend.allCases)
    func roundTrip(_ backend: Backend) async throws {
        guard let a = try await TestDatabase.make(backend), let b = try await TestDatabase.make(backend) else { return }
        let demo = a.directory + "/demo"
        try DemoGenerator(seed: 7, scale: 0.05, now: Instant.parse("2026-11-20 12:00")!).generate(to: demo)
        let s1 = try await a.open()
        _ = try await Importer(store: s1).run(folder: demo)
        _ = try await Importer(store: s1).run(folder: FixtureFolder().path)
        let e1 = a.directory + "/e1", e2 = b.directory + "/e2"
        try await Exporter(store: s1).export(to: e1)
        let s2 = try await b.open()
        _ = try await Importer(store: s2).run(folder: e1)
        try await Exporter(store: s2).export(to: e2)
        for k in ElementKind.allCases {
            let f1 = try Data(contentsOf: URL(fileURLWithPath: "\(e1)/\(k.fileStem).csv"))
            let f2 = try Data(contentsOf: URL(fileURLWithPath: "\(e2)/\(k.fileStem).csv"))
            #expect(f1 == f2, "\(k.fileStem).csv differs after the round trip")
            #expect(f1.count > 100)
        }
        // Canonical spellings: codes, not labels; CST times with seconds.
        let cases = try String(contentsOfFile: e1 + "/cases.csv", encoding: .utf8)
        #expect(cases.contains("AJ1,criminal,盗窃,JQ1,U01,032101,2026-03-01 12:00:00,filed,2026-03-02 10:00:00,handling,,,,3,1,0"))
        await s1.close()
        await s2.close()
    }

    @Test("SQLite's prepared-statement writes and its portable multi-row writes store the same, new and updated")
    func sqliteWritePathsAgree() async throws {
        guard let a = try await TestDatabase.make(.sqlite), let b = try await TestDatabase.make(.sqlite) else { return }
        let demo = a.directory + "/demo"
        try DemoGenerator(seed: 3, scale: 0.05, now: Instant.parse("2026-11-20 12:00")!).generate(to: demo)
        var changed = try FixtureFolder()
        var exports: [String] = []
        for (tdb, reuse) in [(a, true), (b, false)] {
            let store = try await tdb.open()
            var options = Importer.Options()
            options.reuseSQLiteStatement = reuse
            let first = try await Importer(store: store, options: options).run(folder: demo)
            #expect(first.inserted > 1000)
            _ = try await Importer(store: store, options: options).run(folder: changed.path)
            changed.files["units.csv"] = changed.files["units.csv"]!.replacingOccurrences(of: "南大街派出所", with: "南大街派出所(新)")
            try changed.write()
            let update = try await Importer(store: store, options: options).run(folder: changed.path)
            #expect(update.updated == 1 && update.unchanged == 13)
            changed = try FixtureFolder()
            let out = tdb.directory + "/export"
            try await Exporter(store: store).export(to: out)
            exports.append(out)
            await store.close()
        }
        for k in ElementKind.allCases {
            let f1 = try Data(contentsOf: URL(fileURLWithPath: "\(exports[0])/\(k.fileStem).csv"))
            let f2 = try Data(contentsOf: URL(fileURLWithPath: "\(exports[1])/\(k.fileStem).csv"))
            #expect(f1 == f2, "\(k.fileStem).csv differs between the write paths")
        }
    }

    @Test("JSON Lines import as CSV does", arguments: Backend.allCases)
    func jsonLines(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        var files = FixtureFolder.valid
        files.removeValue(forKey: "units.csv")
        files["units.jsonl"] = """
            {"unit_id":"U00","name":"钟楼分局","kind":"分局"}
            {"unit_id":"U01","name":"南大街派出所","kind":"station","parent_id":"U00","extra":1}

            """
        let folder = try FixtureFolder(files)
        let report = try await Importer(store: store).run(folder: folder.path)
        #expect(report.inserted == 14)
        #expect(report.warnings.contains { $0.contains("units.jsonl") && $0.contains("extra") })
        await store.close()
    }

    @Test("a file with a UTF-8 BOM, CRLF line ends and columns in another order imports", arguments: Backend.allCases)
    func bomAndCRLF(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        let folder = try FixtureFolder()
        let units = "parent_id,kind,name,unit_id\r\n,分局,钟楼分局,U00\r\nU00,station,\"南大街\r\n派出所\",U01\r\n"
        try folder.writeBytes("units.csv", [0xEF, 0xBB, 0xBF] + Array(units.utf8))
        let report = try await Importer(store: store).run(folder: folder.path)
        #expect(report.inserted == 14)
        let name = try await store.read { db in
            try await db.raw("SELECT name FROM el_units WHERE unit_id = 'U01'").first()!.decode(column: "name", as: String.self)
        }
        #expect(name == "南大街\r\n派出所")
        await store.close()
    }

    @Test("a reference to a record imported earlier is found in the database", arguments: Backend.allCases)
    func referenceToDatabase(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        _ = try await Importer(store: store).run(folder: FixtureFolder().path)
        let later = try FixtureFolder(["appraisals.csv": """
            appraisal_id,case_id,person_id,kind,commissioned_at,completed_at,result
            JD1,AJ1,RY2,injury,2026-03-02 09:00,2026-03-05 09:00,轻微伤

            """])
        let report = try await Importer(store: store).run(folder: later.path)
        #expect(report.inserted == 1)
        await store.close()
    }

    /// Appraisals of persons imported earlier: the first rows name RY2, the later ones RY1 too (or,
    /// with `missing`, one row names RY9, which is nowhere). Large enough for several batches, so that
    /// a lookup comes while the rows before it are being written.
    static func appraisals(rows: Int, missingAt missing: Int? = nil) -> String {
        var csv = "appraisal_id,case_id,person_id,kind,commissioned_at,completed_at,result\n"
        for i in 1...rows {
            let person = i == missing ? "RY9" : (i > rows / 2 ? "RY\(i % 2 + 1)" : "RY2")
            csv += "JD\(i),AJ1,\(person),injury,2026-03-02 09:00,2026-03-05 09:00,轻微伤\n"
        }
        return csv
    }

    @Test("references looked up in the database in the middle of a large file: all rows stored, or none",
          .timeLimit(.minutes(2)),  // (a lookup queued behind a COPY left open would wait forever)
          arguments: Backend.allCases)
    func lookupsWhileWriting(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        _ = try await Importer(store: store).run(folder: FixtureFolder().path)
        let before = try await snapshot(store)

        let bad = try FixtureFolder(["appraisals.csv": Self.appraisals(rows: 9000, missingAt: 6000)])
        await #expect {
            _ = try await Importer(store: store).run(folder: bad.path)
        } throws: { error in
            "\(error)".contains("appraisals.csv:6001: column person_id: refers to persons \"RY9\", which is neither in this folder nor in the database")
        }
        #expect(try await snapshot(store) == before)

        let good = try FixtureFolder(["appraisals.csv": Self.appraisals(rows: 9000)])
        let report = try await Importer(store: store).run(folder: good.path)
        #expect(report.outcome == .committed && report.inserted == 9000)
        let rows = try await store.read { db in
            try await db.raw("SELECT person_id, count(*) AS n FROM el_appraisals GROUP BY person_id ORDER BY person_id").all()
        }
        #expect(try rows.map { try $0.decode(column: "person_id", as: String.self) } == ["RY1", "RY2"])
        #expect(try rows.map { try $0.decode(column: "n", as: Int.self) } == [2250, 6750])
        await store.close()
    }

    @Test("--skip-invalid writes the valid rows and a rejects file, cascading to dependents", arguments: Backend.allCases)
    func skipInvalid(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        var files = FixtureFolder.valid
        files["persons.csv"] = files["persons.csv"]!.replacingOccurrences(of: "11010519491231002X", with: "110105194912310021")
        let folder = try FixtureFolder(files)
        let rejects = tdb.directory + "/rejects.csv"
        let report = try await Importer(store: store, options: .init(skipInvalid: true, rejectsPath: rejects))
            .run(folder: folder.path)
        #expect(report.outcome == .committed)
        // RY1 is rejected, and so are the two measures and the transcript that name it.
        #expect(report.rejected == 4)
        #expect(report.inserted == 10)
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines[0].hasPrefix("_file,_line,_column,_reason,person_id,case_id,role,name,id_number"))
        #expect(text.contains("persons.csv,2,id_number,"))
        #expect(text.contains("measures.csv,2,person_id,\"refers to persons \"\"RY1\"\", which was rejected (line 2)\""))
        #expect(text.contains("110105194912310021"))
        await store.close()
    }

    @Test("every table keeps its indexes: loaded files rebuild theirs, a file given up at its header too",
          arguments: Backend.allCases)
    func indexesSurviveTheImport(_ backend: Backend) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        func indexes() async throws -> [String] {
            let sql: SQLQueryString = backend == .postgres
                ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'el\\_%' ORDER BY 1"
                : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'el\\_%' ESCAPE '\\' ORDER BY 1"
            return try await store.read { db in try await db.raw(sql).all().map { try $0.decode(column: "name", as: String.self) } }
        }
        let before = try await indexes()
        #expect(before.count > 20)
        // What the pages and the patrol look up is indexed; what no query reads is not.
        for needed in ["ix_measures_case_id", "ix_transcripts_case_id", "ix_venue_visits_person_id", "ix_incidents_unit_id"] {
            #expect(before.contains(needed), "\(needed)")
        }
        #expect(Set(before).isDisjoint(with: ["ix_incidents_officer_id", "ix_measures_person_id", "ix_transcripts_person_id"]))
        var files = FixtureFolder.valid
        // cases.csv without its required case_type: the file is given up at its header.
        files["cases.csv"] = files["cases.csv"]!.replacingOccurrences(of: "case_id,case_type,", with: "case_id,kind,")
        let report = try await Importer(store: store, options: .init(skipInvalid: true, rejectsPath: tdb.directory + "/r.csv"))
            .run(folder: try FixtureFolder(files).path)
        #expect(report.outcome == .committed)
        #expect(report.files.first { $0.file == "cases.csv" }?.inserted == 0)
        #expect(try await indexes() == before)
        await store.close()
    }
}
