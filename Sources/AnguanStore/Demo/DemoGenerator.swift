import AnguanCore
import Foundation

/// SplitMix64: a small, fast, deterministic generator, so a seed always gives the same branch (and a
/// test its same data).
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &self)] }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &self) }
    /// Seconds in a range of hours.
    mutating func hours(_ lo: Double, _ hi: Double) -> Int64 { Int64(Double.random(in: lo...hi, using: &self) * 3600) }
}

/// Generates a realistic branch (分局) in the interchange format: ~10 派出所 and the brigades,
/// officers, a year of incidents and the cases, persons, measures, transcripts, property, venue
/// visits, appraisals and coordination pushes that follow from them. Most records are lawful; a
/// realistic minority break the rules (late custody, missing notices, overtime summons, …), and
/// nothing in the data says which. Streams to disk, so memory stays flat at any scale.
public struct DemoGenerator {
    public let seed: UInt64
    public let scale: Double
    public let now: Instant

    public init(seed: UInt64 = 1, scale: Double = 1, now: Instant) {
        self.seed = seed
        self.scale = scale
        self.now = now
    }

    final class Sink {
        let handle: FileHandle
        var csv = CSVWriter()
        var count = 0
        init(path: String, header: [String]) throws {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            guard let h = FileHandle(forWritingAtPath: path) else { throw StoreError.io("cannot write \(path)") }
            handle = h
            csv.row(header)
        }
        func row(_ r: [String]) throws {
            csv.row(r)
            count += 1
            if csv.bytes.count > 1 << 20 { try flush() }
        }
        func flush() throws {
            try handle.write(contentsOf: csv.bytes)
            csv.removeAll()
        }
    }

    struct Officer { let id: String; let unit: String; let auxiliary: Bool }

    /// Writes the branch to `folder`; returns the number of records per element.
    @discardableResult
    public func generate(to folder: String) throws -> [ElementKind: Int] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var sinks: [ElementKind: Sink] = [:]
        for k in ElementKind.allCases {
            sinks[k] = try Sink(path: "\(folder)/\(k.fileStem).csv", header: k.schema.fields.map(\.name))
        }
        var g = Generation(rng: SeededRandom(seed: seed), now: now.seconds, sinks: sinks)
        try g.run(incidentCount: max(20, Int(3200 * scale)))
        var counts: [ElementKind: Int] = [:]
        for (k, s) in sinks {
            try s.flush()
            try s.handle.close()
            counts[k] = s.count
        }
        return counts
    }
}

private typealias V = DemoVocabulary

/// The state of one generation run.
private struct Generation {
    var rng: SeededRandom
    let now: Int64
    let sinks: [ElementKind: DemoGenerator.Sink]
    var officers: [String: [DemoGenerator.Officer]] = [:]  // unit -> officers
    var stations: [String] = []
    var seq: [ElementKind: Int] = [:]
    var recentTexts: [String] = []

    init(rng: SeededRandom, now: Int64, sinks: [ElementKind: DemoGenerator.Sink]) {
        self.rng = rng
        self.now = now
        self.sinks = sinks
    }

    mutating func nextId(_ k: ElementKind, _ prefix: String) -> String {
        let n = (seq[k] ?? 0) + 1
        seq[k] = n
        let s = String(n)
        return prefix + String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    /// A time, or empty when it lies after "now" (it has not happened yet).
    func t(_ s: Int64?) -> String {
        guard let s, s <= now else { return "" }
        return Instant(seconds: s).cstString
    }

    func happened(_ s: Int64?) -> Bool { s.map { $0 <= now } ?? false }

    func write(_ k: ElementKind, _ values: [String: String]) throws {
        try sinks[k]!.row(k.schema.fields.map { values[$0.name] ?? "" })
    }

    mutating func name() -> String {
        rng.pick(V.surnames) + rng.pick(V.givenChars) + (rng.chance(0.7) ? rng.pick(V.givenChars) : "")
    }

    mutating func units() throws {
        try write(.units, ["unit_id": "U00", "name": "钟楼分局", "kind": "bureau"])
        for (i, n) in V.stations.enumerated() {
            let id = "U\(i + 1 < 10 ? "0" : "")\(i + 1)"
            stations.append(id)
            try write(.units, ["unit_id": id, "name": n, "kind": "station", "parent_id": "U00"])
        }
        for (id, n, k) in [("U21", "刑事警察大队", "brigade"), ("U22", "治安管理大队", "brigade"),
                           ("U23", "经济犯罪侦查大队", "brigade"), ("U30", "法制大队", "legal"),
                           ("U31", "案管中心", "center")] {
            try write(.units, ["unit_id": id, "name": n, "kind": k, "parent_id": "U00"])
        }
        var badge = 32100
        for unit in stations + ["U21", "U22", "U23", "U30", "U31"] {
            let n = unit.hasPrefix("U0") || unit == "U10" ? 22 : (unit >= "U30" ? 8 : 14)
            for i in 0..<n {
                badge += 1
                let aux = i >= n - 3
                var roles: [String] = []
                if aux { roles = ["auxiliary"] } else {
                    roles.append("lead")
                    if i == 0 { roles.append(unit == "U31" ? "supervisor" : "legal_officer") }
                    if unit == "U30" { roles.append("reviewer") }
                }
                let id = aux ? "F\(badge)" : "0\(badge)"
                let until = CivilDate(daysSinceEpoch: Int(now / 86_400) + rng.int(-30...700))
                try write(.officers, ["officer_id": id, "name": name(), "unit_id": unit, "roles": roles.joined(separator: ";"),
                                      "lead_qualified_until": aux ? "" : until.description])
                officers[unit, default: []].append(.init(id: id, unit: unit, auxiliary: aux))
            }
        }
    }

    mutating func investigators(_ unit: String, _ n: Int) -> [String] {
        let pool = officers[unit]!.filter { !$0.auxiliary }
        var chosen: [String] = []
        while chosen.count < n {
            let o = rng.pick(pool).id
            if !chosen.contains(o) { chosen.append(o) }
        }
        return chosen
    }

    mutating func auxiliary(_ unit: String) -> String { rng.pick(officers[unit]!.filter(\.auxiliary)).id }

    mutating func address() -> String {
        "常州市钟楼区\(rng.pick(V.roads))\(rng.int(1...300))号" + (rng.chance(0.5) ? rng.pick(V.places) : "")
    }

    mutating func run(incidentCount: Int) throws {
        try units()
        let start = now - 365 * 86_400
        // A few addresses recur, as the seed's 重复地点 analysis expects.
        var hotspots: [String] = []
        for _ in 0..<max(5, incidentCount / 400) { hotspots.append(address()) }
        for _ in 0..<incidentCount {
            let received = start + Int64(rng.int(0...(365 * 86_400 - 3600)))
            try incident(received: received, hotspots: hotspots)
        }
    }

    mutating func incident(received: Int64, hotspots: [String]) throws {
        let id = nextId(.incidents, "JQ")
        let unit = rng.pick(stations)
        let roll = rng.int(0...99)
        let category: String
        switch roll {
        case 0..<22: category = "criminal"
        case 22..<42: category = "public_order"
        case 42..<62: category = "dispute"
        case 62..<70: category = "economic"
        case 70..<78: category = "traffic"
        case 78..<92: category = "assistance"
        case 92..<94: category = "fire"
        default: category = "other"
        }
        let summary: String = switch category {
        case "criminal": rng.pick(V.criminalSummaries)
        case "public_order": rng.pick(V.publicOrderSummaries)
        case "dispute": rng.pick(V.disputeSummaries)
        case "economic": rng.pick(V.economicSummaries)
        default: rng.pick(V.otherSummaries)
        }
        let source = rng.pick(["110", "110", "110", "110", "walk_in", "phone", "online", "transfer"])
        let officer = investigators(unit, 1)[0]
        let addr = rng.chance(0.08) ? rng.pick(hotspots) : address()
        var values: [String: String] = [
            "incident_id": id, "received_at": t(received), "source": source, "category": category, "unit_id": unit,
            "officer_id": officer, "address": addr,
            "lng": String(format: "%.6f", 119.90 + Double(rng.int(0...60000)) / 1_000_000),
            "lat": String(format: "%.6f", 31.76 + Double(rng.int(0...40000)) / 1_000_000), "summary": summary,
        ]
        let disposedAt = received + rng.hours(0.5, 6)
        let opensCase = (category == "criminal" && rng.chance(0.85)) || (category == "public_order" && rng.chance(0.8))
            || (category == "dispute" && rng.chance(0.05))
        // 接报 → 受案: within 24 h for an administrative case (a few late).
        let accepted = received + (rng.chance(0.04) ? rng.hours(25, 40) : rng.hours(0.3, 12))
        if opensCase && !happened(accepted) {
            values["disposition"] = "pending"
            try write(.incidents, values)
            return
        }
        if opensCase {
            let caseId = nextId(.cases, "AJ")
            values["disposition"] = "case_opened"
            values["case_id"] = caseId
            values["disposed_at"] = t(disposedAt)
            try write(.incidents, values)
            try caseFor(incidentId: id, caseId: caseId, accepted: accepted, unit: unit,
                        criminal: category == "criminal" ? rng.chance(0.9) : rng.chance(0.05), mediated: false)
            return
        }
        if category == "criminal" || category == "public_order" {
            // 体外循环: a few case-type incidents are left with no case and no disposition.
            if rng.chance(0.5) {
                values["disposition"] = rng.chance(0.8) ? "no_offence" : "transferred"
                values["disposed_at"] = t(disposedAt)
            } else if rng.chance(0.9) {
                values["disposition"] = "mediated"
                values["disposed_at"] = t(disposedAt)
            }
        } else if category == "dispute" || category == "traffic" {
            values["disposition"] = rng.chance(0.7) ? "mediated" : "no_offence"
            values["disposed_at"] = t(disposedAt)
        } else {
            values["disposition"] = happened(disposedAt) ? (rng.chance(0.8) ? "no_offence" : "transferred") : "pending"
            values["disposed_at"] = t(disposedAt)
        }
        try write(.incidents, values)
    }

    mutating func caseFor(incidentId: String, caseId: String, accepted: Int64, unit: String, criminal: Bool,
                          mediated: Bool) throws {
        let cause = criminal ? rng.pick(V.criminalCauses) : rng.pick(V.adminCauses)
        let lead = investigators(unit, 1)[0]
        var c: [String: String] = ["case_id": caseId, "case_type": criminal ? "criminal" : "administrative",
                                   "cause": cause, "incident_id": incidentId, "unit_id": unit,
                                   "lead_officer_id": lead, "accepted_at": t(accepted)]
        let injuryCause = cause.contains("伤害") || cause.contains("殴打")
        if injuryCause {
            c["injury_level"] = criminal ? rng.pick(["light", "light", "serious"]) : rng.pick(["none", "minor", "minor"])
            if !criminal && rng.chance(0.03) { c["injury_level"] = "light" }
        }
        let maxYears = criminal ? rng.pick([1, 3, 3, 3, 7, 10, 10]) : 0
        if criminal {
            c["max_sentence_years"] = String(maxYears)
            c["plea"] = rng.chance(0.6) ? "1" : "0"
        }
        // Filing: criminal within 3 days (a few late, some with an approved 7-day review).
        let filed: Int64
        if criminal {
            if rng.chance(0.1) { c["review_extension"] = "7d" }
            let limitDays = c["review_extension"] == "7d" ? 6.5 : 2.5
            filed = accepted + (rng.chance(0.05) ? rng.hours(24 * (limitDays + 1.5), 24 * (limitDays + 4)) : rng.hours(1, 24 * limitDays))
            c["filing_decision"] = happened(filed) ? (rng.chance(0.95) ? "filed" : "not_filed") : "pending"
        } else {
            filed = accepted + rng.hours(0.2, 8)
        }
        c["filed_at"] = t(filed)

        var persons: [(id: String, role: String, captured: Int64?, birth: CivilDate)] = []
        let nSuspects = rng.int(1...(criminal ? 2 : 2))
        for i in 0..<(nSuspects + (rng.chance(0.6) ? 1 : 0)) {
            let pid = nextId(.persons, "RY")
            let role = i < nSuspects ? (criminal ? "suspect" : "offender") : "victim"
            let nowDate = Instant(seconds: now).cstDate
            let age = rng.chance(0.05) ? rng.int(14...17) : (rng.chance(0.03) ? rng.int(70...78) : rng.int(18...65))
            let birth = CivilDate(daysSinceEpoch: nowDate.daysSinceEpoch - age * 365 - rng.int(0...364))
            let captured: Int64? = role == "victim" ? nil : accepted + rng.hours(0, criminal ? 30 : 4)
            persons.append((pid, role, captured, birth))
            let idn = IDNumber.make(region: rng.pick(["320404", "320402", "320411", "320412", "321181", "340823"]),
                                    birth: birth, sequence: rng.int(0...999))
            try write(.persons, ["person_id": pid, "case_id": caseId, "role": role, "name": name(),
                                 "id_number": idn, "gender": rng.chance(0.75) ? "M" : "F",
                                 "birth_date": rng.chance(0.7) ? birth.description : "", "captured_at": t(captured)])
        }

        var transferredAt: Int64? = nil
        var closedAt: Int64? = nil
        var anyArrest = false
        for p in persons {
            let isMinor = Instant(seconds: accepted).cstDate.year - p.birth.year < 18
            if p.role == "victim" {
                try transcript(caseId: caseId, personId: p.id, kind: "inquiry", at: accepted + rng.hours(0.5, 20),
                               unit: unit, minor: isMinor, criminal: criminal, center: false, maxYears: maxYears)
                continue
            }
            guard let captured = p.captured else { continue }
            // The person is brought to the case-handling area (办案区).
            var visitLimit: Double = 12
            if criminal {
                let path = rng.int(0...9)
                if path < 4 {
                    let complex = rng.chance(0.1)
                    let end = captured + (rng.chance(0.03) ? rng.hours(complex ? 25 : 13, complex ? 27 : 15) : rng.hours(2, 10))
                    try measure(caseId, p.id, "summons", captured, end, extra: complex ? ["complex": "1"] : [:])
                    try transcript(caseId: caseId, personId: p.id, kind: "interrogation", at: captured + rng.hours(0.3, 1.5),
                                   unit: unit, minor: isMinor, criminal: true, center: true, maxYears: maxYears)
                    visitLimit = complex ? 24 : 12
                    if rng.chance(0.5) {
                        try measure(caseId, p.id, "bail", end, bailEnd(end), extra: [:])
                    }
                } else if path < 9 {
                    let r = try detentionPath(caseId: caseId, personId: p.id, captured: captured, unit: unit,
                                              minor: isMinor, maxYears: maxYears)
                    anyArrest = anyArrest || r
                    visitLimit = 30
                } else {
                    try measure(caseId, p.id, "bail", captured + rng.hours(2, 8), bailEnd(captured), extra: [:])
                    try transcript(caseId: caseId, personId: p.id, kind: "interrogation", at: captured + rng.hours(0.5, 3),
                                   unit: unit, minor: isMinor, criminal: true, center: true, maxYears: maxYears)
                }
            } else {
                let ext = rng.chance(0.05) ? "12h" : ""
                let complex = ext.isEmpty && rng.chance(0.2)
                let limit = complex ? 24.0 : (ext.isEmpty ? 8.0 : 12.0)
                let end = captured + (rng.chance(0.03) ? rng.hours(limit + 0.5, limit + 3) : rng.hours(1, limit - 1))
                var extra: [String: String] = ["extension": ext, "complex": complex ? "1" : ""]
                if rng.chance(0.93) { extra["family_notified_at"] = t(captured + rng.hours(0.2, 2)) }
                try measure(caseId, p.id, "admin_summons", captured, end, extra: extra)
                visitLimit = limit
                try transcript(caseId: caseId, personId: p.id, kind: "inquiry", at: captured + rng.hours(0.3, 1),
                               unit: unit, minor: isMinor, criminal: false, center: true, maxYears: 0)
                if rng.chance(0.3) {
                    let dStart = end + rng.hours(0.5, 2)
                    var dx: [String: String] = [:]
                    if rng.chance(0.95) { dx["family_notified_at"] = t(dStart + rng.hours(0.5, 6)) }
                    try measure(caseId, p.id, "admin_detention", dStart, dStart + Int64(rng.int(3...15)) * 86_400, extra: dx)
                }
            }
            if rng.chance(0.97) {
                try visit(personId: p.id, caseId: caseId, entered: captured + rng.hours(0.1, 2), limitHours: visitLimit)
            }
        }
        if injuryCause {
            let commissioned = accepted + (rng.chance(0.06) ? rng.hours(26, 60) : rng.hours(1, 20))
            let completed = commissioned + (rng.chance(0.06) ? rng.hours(24 * 8.5, 24 * 12) : rng.hours(24, 24 * 6))
            if happened(commissioned) {
            let result = c["injury_level"].map { ["none": "未构成轻微伤", "minor": "轻微伤", "light": "轻伤二级",
                                                  "serious": "重伤二级", "death": "死亡"][$0] ?? "" } ?? ""
            try write(.appraisals, ["appraisal_id": nextId(.appraisals, "JD"), "case_id": caseId,
                                    "person_id": persons.last!.id, "kind": "injury", "commissioned_at": t(commissioned),
                                    "completed_at": t(completed), "result": happened(completed) ? result : ""])
            }
        }
        var pendingProperty: [[String: String]] = []
        if ["盗窃", "诈骗", "抢劫", "贩卖毒品", "赌博", "开设赌场", "掩饰、隐瞒犯罪所得"].contains(cause) {
            for _ in 0..<rng.int(1...2) {
                let item = rng.pick(V.propertyItems)
                let seized = accepted + rng.hours(0.5, 30)
                guard happened(seized) else { continue }
                let late = rng.chance(0.06)
                let handed: Int64? = late ? (rng.chance(0.5) ? nil : seized + rng.hours(30, 80)) : seized + rng.hours(1, 20)
                pendingProperty.append(["property_id": nextId(.property, "CW"), "case_id": caseId, "name": item.0,
                                      "category": item.1, "quantity": String(rng.int(1...3)),
                                      "value_cny": String(rng.int(1...400) * 50), "seized_at": t(seized),
                                      "handed_over_at": t(handed), "storage": happened(handed) ? "钟楼分局涉案财物管理中心" : "",
                                      "status": happened(handed) ? "in_store" : (happened(seized) ? "held" : "")])
            }
        }
        // Outcome of the case.
        if criminal {
            if rng.chance(anyArrest ? 0.85 : 0.6) {
                transferredAt = filed + rng.hours(24 * 20, 24 * (anyArrest ? 55 : 120))
            }
            if let tr = transferredAt, happened(tr) {
                c["transferred_at"] = t(tr)
                try coordination(caseId, "prosecution_transfer", "police", "procuratorate", tr)
                let pros = tr + rng.hours(24 * 10, 24 * 40)
                c["status"] = "transferred"
                if happened(pros) {
                    c["prosecuted_at"] = t(pros)
                    c["status"] = "prosecuted"
                    let judged = pros + rng.hours(24 * 10, 24 * 60)
                    if happened(judged) {
                        c["judged_at"] = t(judged)
                        c["status"] = "judged"
                    }
                }
            } else {
                c["status"] = "handling"
                if c["plea"] == "1" && maxYears <= 3 && rng.chance(0.5) { c["fast_track"] = "1" }
            }
        } else {
            let limit: Double = 30
            closedAt = filed + (rng.chance(0.04) ? rng.hours(24 * (limit + 2), 24 * (limit + 10)) : rng.hours(24 * 2, 24 * (limit - 3)))
            if happened(closedAt) {
                c["closed_at"] = t(closedAt)
                c["status"] = "closed"
            } else {
                c["status"] = "handling"
            }
        }
        // Property follows the case: sent on with it, or returned or confiscated after the decision.
        let decided = c["judged_at"].flatMap { $0.isEmpty ? nil : Instant.parse($0) } ?? c["closed_at"].flatMap { $0.isEmpty ? nil : Instant.parse($0) }
        for var p in pendingProperty {
            if p["status"] == "in_store" {
                if let tr = transferredAt, happened(tr), rng.chance(0.95) {
                    p["status"] = "with_case"
                } else if let d = decided, now - d.seconds > 30 * 86_400, rng.chance(0.92) {
                    p["status"] = p["category"] == "drug" || p["category"] == "weapon" ? "confiscated" : "returned"
                    p["disposed_at"] = t(d.seconds + rng.hours(24 * 3, 24 * 25))
                }
            }
            try write(.property, p)
        }
        try write(.cases, c)
    }

    mutating func bailEnd(_ start: Int64) -> Int64 {
        start + (rng.chance(0.03) ? rng.hours(24 * 370, 24 * 400) : rng.hours(24 * 30, 24 * 330))
    }

    mutating func measure(_ caseId: String, _ personId: String, _ kind: String, _ start: Int64, _ end: Int64?,
                          extra: [String: String]) throws {
        guard happened(start) else { return }
        var m = extra
        m["measure_id"] = nextId(.measures, "CS")
        m["case_id"] = caseId
        m["person_id"] = personId
        m["kind"] = kind
        m["started_at"] = t(start)
        m["ended_at"] = t(end)
        try write(.measures, m)
    }

    /// 刑事拘留 → 提请批准逮捕 → 逮捕 or 释放/取保. Returns whether the person was arrested.
    mutating func detentionPath(caseId: String, personId: String, captured: Int64, unit: String, minor: Bool,
                                maxYears: Int) throws -> Bool {
        let start = captured
        // Questioned in the centre first, then taken to the detention house.
        let questioned = start + (rng.chance(0.04) ? rng.hours(25, 30) : rng.hours(0.5, 6))
        let custody = rng.chance(0.04) ? start + rng.hours(25, 36) : min(start + rng.hours(20, 23.5), questioned + rng.hours(2.5, 10))
        let notified: Int64? = rng.chance(0.04) ? nil : start + (rng.chance(0.03) ? rng.hours(26, 40) : rng.hours(1, 20))
        try transcript(caseId: caseId, personId: personId, kind: "interrogation", at: questioned, unit: unit,
                       minor: minor, criminal: true, center: questioned < custody || rng.chance(0.1), maxYears: maxYears)
        let ext = rng.chance(0.15) ? "7d" : (rng.chance(0.05) ? "30d" : "")
        let limitDays: Double = ext == "7d" ? 7 : (ext == "30d" ? 30 : 3)
        let requested = start + (rng.chance(0.03) ? rng.hours(24 * (limitDays + 0.6), 24 * (limitDays + 2)) : rng.hours(24, 24 * (limitDays - 0.3)))
        let decision = requested + rng.hours(24 * 2, 24 * 7)
        let approved = rng.chance(0.75)
        var detentionEnd: Int64
        var arrested = false
        if approved {
            detentionEnd = decision + (rng.chance(0.03) ? rng.hours(26, 40) : rng.hours(1, 12))
        } else {
            detentionEnd = decision + (rng.chance(0.04) ? rng.hours(13, 30) : rng.hours(0.5, 8))
        }
        try measure(caseId, personId, "detention", start, detentionEnd, extra: [
            "extension": ext, "custody_at": t(custody), "family_notified_at": t(notified)])
        if happened(requested) {
            try measure(caseId, personId, "arrest_request", requested, decision,
                        extra: ["outcome": happened(decision) ? (approved ? "approved" : "rejected") : ""])
            try coordination(caseId, "arrest_request", "police", "procuratorate", requested)
        }
        if approved && happened(detentionEnd) {
            arrested = true
            let arrestStart = detentionEnd
            let term = arrestStart + rng.hours(24 * 20, 24 * 75)
            try measure(caseId, personId, "arrest", arrestStart, term, extra: [
                "custody_at": t(arrestStart),
                "family_notified_at": rng.chance(0.04) ? "" : t(arrestStart + rng.hours(1, 20))])
            try transcript(caseId: caseId, personId: personId, kind: "interrogation",
                           at: arrestStart + rng.hours(2, 20), unit: unit, minor: minor, criminal: true,
                           center: false, maxYears: maxYears)
        } else if !approved && happened(detentionEnd) {
            try measure(caseId, personId, "bail", detentionEnd, bailEnd(detentionEnd), extra: [:])
        }
        return arrested
    }

    mutating func visit(personId: String, caseId: String, entered: Int64, limitHours: Double) throws {
        guard happened(entered) else { return }
        let sec: Int64? = rng.chance(0.015) ? nil : entered + Int64(rng.chance(0.02) ? rng.int(35...90) : rng.int(1...25)) * 60
        let health: Int64? = rng.chance(0.02) ? nil : entered + Int64(rng.int(5...55)) * 60
        let left = entered + (rng.chance(0.03) ? rng.hours(limitHours + 0.5, limitHours + 3) : rng.hours(1, max(1.5, min(limitHours, 24) - 1)))
        try write(.venueVisits, ["visit_id": nextId(.venueVisits, "RQ"), "person_id": personId, "case_id": caseId,
                                 "entered_at": t(entered), "left_at": t(left), "security_check_at": t(sec),
                                 "info_collected_at": t(entered + Int64(rng.int(10...60)) * 60),
                                 "health_check_at": t(health),
                                 "left_to": happened(left) ? rng.pick(["released", "released", "detention_house"]) : ""])
    }

    mutating func coordination(_ caseId: String, _ kind: String, _ from: String, _ to: String, _ at: Int64) throws {
        guard happened(at) else { return }
        let received = at + rng.hours(0.5, 24)
        try write(.coordination, ["push_id": nextId(.coordination, "TS"), "case_id": caseId, "kind": kind,
                                  "from_org": from, "to_org": to, "pushed_at": t(at), "received_at": t(received),
                                  "result": happened(received) ? "accepted" : "", "result_at": t(received)])
    }

    mutating func transcript(caseId: String, personId: String, kind: String, at: Int64, unit: String, minor: Bool,
                             criminal: Bool, center: Bool, maxYears: Int) throws {
        let end = at + rng.hours(0.4, 2)
        guard happened(end) else { return }  // a transcript is exported once it is finished
        var ids = investigators(unit, 2)
        if rng.chance(0.015) { ids = [ids[0], auxiliary(unit)] }
        if rng.chance(0.01) { ids = [ids[0]] }
        var text: String
        if !recentTexts.isEmpty && rng.chance(0.02) {
            text = rng.pick(recentTexts)  // 复制粘贴: a transcript copied from another
        } else {
            text = V.boilerplate
            text += "问：你的基本情况？\n答：我叫\(name())，身份证号码已核对，住\(address())。\n"
            for _ in 0..<rng.int(3...6) {
                text += rng.pick(V.questions) + "\n答：" + rng.pick(V.answers) + rng.pick(V.answers) + "\n"
            }
            text += "问：以上笔录你看一下，是否与你讲的一致？\n答：以上笔录我看过，和我讲的一样。"
            if recentTexts.count < 50 { recentTexts.append(text) } else { recentTexts[rng.int(0...49)] = text }
        }
        try write(.transcripts, [
            "transcript_id": nextId(.transcripts, "BL"), "case_id": caseId, "person_id": personId, "kind": kind,
            "started_at": t(at), "ended_at": t(end), "officer_ids": ids.joined(separator: ";"),
            "location": center ? "钟楼分局执法办案中心讯问室\(rng.int(1...8))" : "常州市看守所提讯室",
            "av_recorded": rng.chance(criminal && maxYears >= 10 ? 0.96 : 0.85) ? "1" : "0",
            "guardian_present": minor ? (rng.chance(0.9) ? "1" : "0") : "", "text": text,
        ])
    }
}
