import AnguanCore
import Testing

@Suite("Times, dates and identity numbers")
struct ValueTests {
    @Test("spaces around a cell are trimmed, ideographic ones too; Chinese text without them is kept whole",
          arguments: [("\u{3000}刑事拘留", "刑事拘留"), ("刑事拘留\u{3000}", "刑事拘留"), (" detention ", "detention"),
                      ("刑事拘留", "刑事拘留"), ("取保\t", "取保"), ("\u{00A0}U01", "U01"), ("a 中 b", "a 中 b"),
                      ("  ", ""), ("中", "中"), ("é", "é")])
    func trimming(_ cell: String, _ trimmed: String) {
        #expect(cell.trimmingSpaces == trimmed)
    }

    @Test("a list of ids is stored canonically, whether written so or not",
          arguments: [("032105;032115", "032105;032115"), (" 032105 ; ;032115 ", "032105;032115"),
                      ("\u{3000}032105", "032105"), ("032105;", "032105"), (";032105", "032105"),
                      ("a;;b", "a;b"), ("x", "x")])
    func referenceLists(_ cell: String, _ stored: String) throws {
        let field = Field("officer_ids", .referenceList(.officers), label: "办案民警")
        let value = try FieldCodec.parse(cell, as: field).get()
        #expect(value?.text == stored)
        #expect(FieldCodec.listItems(cell).joined(separator: ";") == stored)
    }

    @Test func cstWithoutOffsetIsChinaTime() {
        let t = Instant.parse("2026-03-01 08:00")!
        #expect(t.seconds == 1_772_323_200)  // 2026-03-01T00:00:00Z
        #expect(t.cstString == "2026-03-01 08:00:00")
        #expect(Instant.parse("2026-03-01 08:00:00") == t)
    }

    @Test func iso8601WithOffsetIsTheSameInstant() {
        let t = Instant.parse("2026-03-01 08:00")!
        #expect(Instant.parse("2026-03-01T08:00:00+08:00") == t)
        #expect(Instant.parse("2026-03-01T00:00:00Z") == t)
        #expect(Instant.parse("2026-02-28T19:00:00-05:00") == t)
        #expect(Instant.parse("2026-03-01T08:00:00.250+0800") == t)
        #expect(t.iso8601CST == "2026-03-01T08:00:00+08:00")
    }

    @Test(arguments: ["2026-13-01 08:00", "2026-02-30 12:00", "2026-02-29 00:00", "2026-01-01 24:00",
                      "2026-01-01 10:60", "2026-01-01", "2026/01/01 10:00", "2026-01-01 10:00 CST", "", "yesterday"])
    func impossibleOrMalformedTimesAreRefused(_ s: String) {
        #expect(Instant.parse(s) == nil)
    }

    @Test func leapDayExistsInLeapYears() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
    }

    @Test func civilDaysRoundTrip() {
        for d in stride(from: -30000, to: 60000, by: 97) {
            #expect(CivilDate(daysSinceEpoch: d).daysSinceEpoch == d)
        }
        #expect(CivilDate(year: 2026, month: 11, day: 25)!.weekdayIndex == 2)  // a Wednesday
    }

    @Test func idNumberCheckDigit() {
        #expect(IDNumber.problem("11010519491231002X") == nil)
        #expect(IDNumber.problem("11010519491231002x") == nil)
        #expect(IDNumber.problem("110105194912310021")?.contains("expected X") == true)
        #expect(IDNumber.problem("11010519491331002X")?.contains("birth date") == true)
        #expect(IDNumber.problem("1101051949") != nil)
        let made = IDNumber.make(region: "320404", birth: CivilDate(year: 2010, month: 6, day: 1)!, sequence: 7)
        #expect(IDNumber.problem(made) == nil)
        #expect(IDNumber.birthDate(made) == CivilDate(year: 2010, month: 6, day: 1))
    }
}

@Suite("Field spellings")
struct FieldCodecTests {
    let schema = ElementKind.measures.schema

    func parse(_ field: String, _ raw: String) -> Result<StoredValue?, FieldProblem> {
        FieldCodec.parse(raw, as: schema.field(field)!)
    }

    @Test(arguments: [("1", 1), ("0", 0), ("true", 1), ("false", 0), ("是", 1), ("否", 0), ("TRUE", 1)])
    func booleans(_ raw: String, _ expected: Int64) throws {
        #expect(try parse("complex", raw).get() == .int(expected))
    }

    @Test func booleanNonsenseIsRefused() {
        guard case .failure(let p) = parse("complex", "maybe") else { Issue.record("accepted"); return }
        #expect(p.reason.contains("is not a boolean"))
    }

    @Test func enumerationByCodeOrLabel() throws {
        #expect(try parse("kind", "detention").get() == .text("detention"))
        #expect(try parse("kind", "刑事拘留").get() == .text("detention"))
        #expect(try parse("kind", "取保候审").get() == .text("bail"))
        #expect(try parse("outcome", "不批准").get() == .text("rejected"))
        #expect(try parse("outcome", "部分批准").get() == .text("部分批准"))
    }

    @Test func emptyIsUnknownButRequiredIsRequired() {
        #expect((try? parse("ended_at", "").get()) == .some(nil))
        guard case .failure(let p) = parse("started_at", "") else { Issue.record("accepted"); return }
        #expect(p.reason == "is required but empty")
    }

    @Test func listsAreCanonical() throws {
        let roles = ElementKind.officers.schema.field("roles")!
        #expect(try FieldCodec.parse("主办民警; legal_officer", as: roles).get() == .text("lead;legal_officer"))
        let ids = ElementKind.transcripts.schema.field("officer_ids")!
        #expect(try FieldCodec.parse(" 032101 ;032102;", as: ids).get() == .text("032101;032102"))
    }

    @Test func formatIsCanonical() {
        #expect(FieldCodec.format(.real(3), as: .number) == "3")
        #expect(FieldCodec.format(.real(1234.5), as: .number) == "1234.5")
        #expect(FieldCodec.format(.int(1), as: .bool) == "1")
        #expect(FieldCodec.format(.int(Instant.parse("2026-03-01 08:00")!.seconds), as: .time) == "2026-03-01 08:00:00")
    }
}

@Suite("Hashed id map")
struct HashedIdMapTests {
    @Test("finds every key it was given, through growth, with the last value; key 0 too; nothing else")
    func againstDictionary() {
        var map = HashedIdMap(capacity: 4)
        var reference: [UInt64: Int32] = [:]
        var x: UInt64 = 0x1234_5678
        for i in 0..<50_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let key = i % 7 == 0 ? x & 0xFFFF : x  // clustered low keys as well as spread ones
            map.insert(key, Int32(i))
            reference[key] = Int32(i)
        }
        map.insert(0, 9)
        reference[0] = 9
        map[FNV1a.hash("JQ1")] = 3
        reference[FNV1a.hash("JQ1")] = 3
        #expect(map.count == reference.count)
        for (k, v) in reference { #expect(map[k] == v) }
        var misses = 0
        for k in [UInt64(1), 2, 3, UInt64.max, FNV1a.hash("JQ2")] where reference[k] == nil {
            #expect(!map.contains(k))
            misses += 1
        }
        #expect(misses > 0)
    }

    @Test("as a set (no values) it holds the same keys, through growth")
    func asSet() {
        var set = HashedIdMap(capacity: 4, values: false)
        for i in 0..<10_000 { set.insert(FNV1a.hash("RY\(i)")) }
        set.insert(0)
        #expect(set.count == 10_001)
        #expect((0..<10_000).allSatisfy { set.contains(FNV1a.hash("RY\($0)")) })
        #expect(set.contains(0) && set[FNV1a.hash("RY7")] == 0)
        #expect(!set.contains(FNV1a.hash("RY10000")))
        #expect(set.insertIfAbsent(FNV1a.hash("RY5"), 3) == 0 && set.insertIfAbsent(FNV1a.hash("new"), 3) == nil)
    }
}

@Suite("Ids seen in a file")
struct SeenIdsTests {
    @Test("ids in order are appended; the first one out of order or repeated is checked against all before it")
    func duplicates() {
        var seen = SeenIds()
        let ids = (1...5000).map { String(format: "JQ%06d", $0) }
        for (i, id) in ids.enumerated() { #expect(seen.insert(id, key: FNV1a.hash(id), line: Int32(i + 2)) == nil) }
        // A repeat of the first id, out of order: found with its line.
        #expect(seen.insert("JQ000001", key: FNV1a.hash("JQ000001"), line: 9000) == 2)
        // The same id twice in a row is not "after" the one before either.
        var again = SeenIds()
        #expect(again.insert("B", key: FNV1a.hash("B"), line: 2) == nil)
        #expect(again.insert("B", key: FNV1a.hash("B"), line: 3) == 2)
        // New ids out of order are taken; later repeats found.
        #expect(seen.insert("AA", key: FNV1a.hash("AA"), line: 9001) == nil)
        #expect(seen.insert("JQ004999", key: FNV1a.hash("JQ004999"), line: 9002) == 5000)
        #expect(seen.insert("AA", key: FNV1a.hash("AA"), line: 9003) == 9001)
        #expect(seen.count == 5001)
    }

    @Test("answers lookups whether its ids came in order or not")
    func lookups() {
        var seen = SeenIds()
        _ = seen.insert("U01", key: FNV1a.hash("U01"), line: 2)
        _ = seen.insert("U02", key: FNV1a.hash("U02"), line: 3)
        #expect(seen.line(of: FNV1a.hash("U02")) == 3)
        #expect(seen.line(of: FNV1a.hash("U03")) == nil)
        #expect(seen.insert("U03", key: FNV1a.hash("U03"), line: 4) == nil)
        #expect(seen.insert("U02", key: FNV1a.hash("U02"), line: 5) == 3)
        #expect(seen.line(of: FNV1a.hash("U03")) == 4)
    }
}

@Suite("Recent keys")
struct RecentKeysTests {
    @Test("holds the last key of each slot, per column; never key 0")
    func cache() {
        var recent = RecentKeys(columns: 3)
        let a = FNV1a.hash("U01"), b = FNV1a.hash("032251")
        #expect(!recent.contains(a, column: 1))
        recent.insert(a, column: 1)
        #expect(recent.contains(a, column: 1))
        #expect(!recent.contains(a, column: 2))
        recent.insert(b, column: 2)
        #expect(recent.contains(a, column: 1) && recent.contains(b, column: 2))
        recent.insert(0, column: 0)
        #expect(!recent.contains(0, column: 0))
        // 1,024 slots a column: of 10,000 keys the last ones stay, the early ones are mostly gone.
        for i in 0..<10_000 { recent.insert(FNV1a.hash("RY\(i)"), column: 0) }
        #expect(recent.contains(FNV1a.hash("RY9999"), column: 0))
        #expect((0..<100).filter { recent.contains(FNV1a.hash("RY\($0)"), column: 0) }.count < 10)
    }
}

@Suite("Content hash")
struct ContentHashTests {
    static let values: [StoredValue?] = [.text("JQ000001"), nil, .int(1_772_323_200), .real(3.5), .text("问：姓名？\n答：张三。")]

    @Test("is stored, so it never changes: pinned values")
    func pinned() {
        #expect(ContentHash.of(Self.values) == 5_568_084_755_928_003_231)
        #expect(ContentHash.of([]) == 8_848_935_107_335_307_795)
        // The FNV-1a hash earlier versions stored, for the same values.
        #expect(ContentHash.legacy(Self.values) == 7_166_085_066_155_130_592)
    }

    @Test("any one change of a value, its kind or its place changes the hash")
    func sensitive() {
        let base = ContentHash.of(Self.values)
        var variants: [[StoredValue?]] = []
        for i in Self.values.indices where Self.values[i] != nil {
            var v = Self.values
            v[i] = nil
            variants.append(v)
        }
        variants.append([.text("JQ000002"), nil, .int(1_772_323_200), .real(3.5), .text("问：姓名？\n答：张三。")])
        variants.append([.text("JQ000001"), nil, .int(1_772_323_201), .real(3.5), .text("问：姓名？\n答：张三。")])
        variants.append([.text("JQ000001"), nil, .real(1_772_323_200), .real(3.5), .text("问：姓名？\n答：张三。")])
        variants.append([nil, .text("JQ000001"), .int(1_772_323_200), .real(3.5), .text("问：姓名？\n答：张三。")])
        variants.append([.text("JQ00000"), .text("1"), .int(1_772_323_200), .real(3.5), .text("问：姓名？\n答：张三。")])
        let hashes = variants.map(ContentHash.of)
        #expect(!hashes.contains(base))
        #expect(Set(hashes).count == hashes.count)
    }
}
