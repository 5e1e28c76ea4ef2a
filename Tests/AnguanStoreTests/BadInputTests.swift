import AnguanCore
import AnguanStore
import AnguanTestSupport
import Foundation
import Testing

/// Each bad input gives a located error and writes nothing.
@Suite("Bad input")
struct BadInputTests {
    /// Imports the valid fixture, then the broken folder, and checks the problem and that
    /// nothing changed.
    func expectRejected(_ backend: Backend, expect fragments: [String],
                        _ breakIt: (inout [String: String]) -> Void = { _ in },
                        raw: ((FixtureFolder) throws -> Void)? = nil) async throws {
        guard let tdb = try await TestDatabase.make(backend) else { return }
        let store = try await tdb.open()
        _ = try await Importer(store: store).run(folder: FixtureFolder().path)
        let before = try await snapshot(store)
        var files = FixtureFolder.valid
        // Change the ids so that, were anything written, the counts would grow.
        for (k, v) in files { files[k] = v.replacingOccurrences(of: "U01", with: "U02") }
        breakIt(&files)
        let folder = try FixtureFolder(files)
        try raw?(folder)
        do {
            _ = try await Importer(store: store).run(folder: folder.path)
            Issue.record("the import should have been rejected")
        } catch let e as ImportRejected {
            let text = e.description
            for f in fragments { #expect(text.contains(f), "expected «\(f)» in:\n\(text)") }
            #expect(text.contains("nothing was written"))
        }
        #expect(try await snapshot(store) == before)
        let runs = try await Queries(store: store).importRuns()
        #expect(runs.first?.outcome == "rejected")
        await store.close()
    }

    @Test(arguments: Backend.allCases) func emptyFolder(_ b: Backend) async throws {
        guard let tdb = try await TestDatabase.make(b) else { return }
        let store = try await tdb.open()
        let empty = tdb.directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        await #expect(throws: ImportRejected.self) { try await Importer(store: store).run(folder: empty) }
        do { _ = try await Importer(store: store).run(folder: empty) } catch let e as ImportRejected {
            #expect(e.description.contains("the folder is empty"))
        }
        try Data("x".utf8).write(to: URL(fileURLWithPath: empty + "/notes.txt"))
        do { _ = try await Importer(store: store).run(folder: empty) } catch let e as ImportRejected {
            #expect(e.description.contains("no known element file"))
        }
        await store.close()
    }

    @Test(arguments: Backend.allCases) func missingRequiredColumn(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["measures.csv:1: column started_at: required column is missing"]) {
            $0["measures.csv"] = $0["measures.csv"]!.replacingOccurrences(of: "kind,started_at,", with: "kind,begun,")
        }
    }

    @Test(arguments: Backend.allCases) func duplicateId(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["officers.csv:4: column officer_id: duplicate officer_id \"032101\": also on line 2"]) {
            $0["officers.csv"] = $0["officers.csv"]!.replacingOccurrences(of: "F32103", with: "032101")
        }
    }

    @Test(arguments: Backend.allCases) func unknownEnumeration(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["measures.csv:2: column kind: \"jail\" is not a measure kind"]) {
            $0["measures.csv"] = $0["measures.csv"]!.replacingOccurrences(of: "RY1,detention", with: "RY1,jail")
        }
    }

    @Test(arguments: Backend.allCases) func unparsableTime(_ b: Backend) async throws {
        try await expectRejected(b, expect: [
            "measures.csv:2: column started_at: \"2026-13-01 08:00\" is not a time (expected YYYY-MM-DD HH:MM[:SS] or ISO 8601)",
        ]) {
            $0["measures.csv"] = $0["measures.csv"]!.replacingOccurrences(of: "detention,2026-03-01 15:00", with: "detention,2026-13-01 08:00")
        }
    }

    @Test(arguments: Backend.allCases) func impossibleDate(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["cases.csv:2: column accepted_at: \"2026-02-30 12:00\" is not a time"]) {
            $0["cases.csv"] = $0["cases.csv"]!.replacingOccurrences(of: "2026-03-01 12:00", with: "2026-02-30 12:00")
        }
    }

    @Test(arguments: Backend.allCases) func badIdNumber(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["persons.csv:2: column id_number: \"110105194912310021\" is not a valid 公民身份号码: check digit is 1, expected X"]) {
            $0["persons.csv"] = $0["persons.csv"]!.replacingOccurrences(of: "11010519491231002X", with: "110105194912310021")
        }
    }

    @Test(arguments: Backend.allCases) func danglingReference(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["measures.csv:3: column person_id: refers to persons \"RY9\", which is neither in this folder nor in the database"]) {
            $0["measures.csv"] = $0["measures.csv"]!.replacingOccurrences(of: "CS2,AJ1,RY1", with: "CS2,AJ1,RY9")
        }
    }

    @Test(arguments: Backend.allCases) func notUTF8(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["units.csv:3: is not valid UTF-8 text"], raw: { f in
            // 南大街 in GBK.
            try f.writeBytes("units.csv", Array("unit_id,name,kind,parent_id\nU00,a,bureau,\nU02,".utf8) + [0xC4, 0xCF, 0xB4, 0xF3, 0xBD, 0xD6] + Array(",station,U00\n".utf8))
        })
    }

    @Test(arguments: Backend.allCases) func unterminatedQuote(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["units.csv:3: unterminated quoted field"]) {
            $0["units.csv"] = "unit_id,name,kind,parent_id\nU00,钟楼分局,bureau,\nU02,\"南大街派出所,station,U00\n"
        }
    }

    @Test(arguments: Backend.allCases) func wrongFieldCount(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["officers.csv:3: has 6 fields, the header has 5", "officers.csv:4: has 4 fields, the header has 5"]) {
            $0["officers.csv"] = "officer_id,name,unit_id,roles,lead_qualified_until\n032101,王伟,U02,lead,,\n032102,李娜,U02,lead,,x\nF32103,张强,U02,auxiliary\n"
        }
    }

    @Test(arguments: Backend.allCases) func badJSONLine(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["units.jsonl:2: is not a JSON object"]) {
            $0.removeValue(forKey: "units.csv")
            $0["units.jsonl"] = "{\"unit_id\":\"U00\",\"name\":\"钟楼分局\",\"kind\":\"bureau\"}\n{\"unit_id\":\"U02\",\"name\":\"南大街\n"
        }
    }

    @Test(arguments: Backend.allCases) func missingTranscriptFile(_ b: Backend) async throws {
        try await expectRejected(b, expect: ["transcripts.csv:2: column text: is empty and transcripts/BL1.txt does not exist"]) {
            $0.removeValue(forKey: "transcripts/BL1.txt")
        }
    }

    @Test(arguments: Backend.allCases) func everyProblemIsListed(_ b: Backend) async throws {
        try await expectRejected(b, expect: [
            "cases.csv:2: column accepted_at:", "cases.csv:2: column status: \"open\" is not a case status",
        ]) {
            $0["cases.csv"] = $0["cases.csv"]!.replacingOccurrences(of: "2026-03-01 12:00", with: "yesterday")
                .replacingOccurrences(of: ",handling,", with: ",open,")
        }
    }
}
