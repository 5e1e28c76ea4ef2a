import AnguanCore
import Testing

/// Builders for rule tests: records from field → value pairs, one rule evaluated at a given now.
func T(_ s: String) -> StoredValue { .int(Instant.parse(s)!.seconds) }
func S(_ s: String) -> StoredValue { .text(s) }
let yes: StoredValue = .int(1)
let no: StoredValue = .int(0)
func N(_ d: Double) -> StoredValue { .real(d) }

let defaultCatalog: Catalog = try! Catalog.load()

func bundle(_ caseFields: [String: StoredValue], incidents: [[String: StoredValue]] = [], persons: [[String: StoredValue]] = [],
            measures: [[String: StoredValue]] = [], transcripts: [[String: StoredValue]] = [],
            property: [[String: StoredValue]] = [], visits: [[String: StoredValue]] = [],
            appraisals: [[String: StoredValue]] = [], coordination: [[String: StoredValue]] = []) -> CaseBundle {
    var c: [String: StoredValue] = ["case_id": S("C1"), "case_type": S("criminal"), "cause": S("盗窃"), "unit_id": S("U01"),
                                    "lead_officer_id": S("O1"), "accepted_at": T("2026-03-02 10:00"), "status": S("handling")]
    c.merge(caseFields) { $1 }
    var b = CaseBundle(case: Record(.cases, c))
    func with(_ defaults: [String: StoredValue], _ f: [String: StoredValue]) -> [String: StoredValue] {
        defaults.merging(f) { $1 }
    }
    b.incidents = incidents.map { Record(.incidents, with(["received_at": T("2026-03-02 08:00"), "source": S("110"),
                                                           "category": S("criminal"), "unit_id": S("U01")], $0)) }
    b.persons = persons.map { Record(.persons, with(["person_id": S("P1"), "case_id": S("C1"), "role": S("suspect"),
                                                     "name": S("张三")], $0)) }
    b.measures = measures.map { Record(.measures, with(["case_id": S("C1"), "person_id": S("P1")], $0)) }
    b.transcripts = transcripts.map { Record(.transcripts, with(["case_id": S("C1"), "person_id": S("P1"),
                                                                 "officer_ids": S("O1;O2"), "text": S("问：答：")], $0)) }
    b.property = property.map { Record(.property, with(["case_id": S("C1"), "name": S("手机")], $0)) }
    b.visits = visits.map { Record(.venueVisits, with(["person_id": S("P1"), "case_id": S("C1")], $0)) }
    b.appraisals = appraisals.map { Record(.appraisals, with(["case_id": S("C1"), "kind": S("injury")], $0)) }
    b.coordination = coordination.map { Record(.coordination, with(["case_id": S("C1"), "from_org": S("police"),
                                                                     "to_org": S("procuratorate")], $0)) }
    return b
}

let officerRoles: [String: Set<String>] = ["O1": ["lead"], "O2": ["lead"], "A1": ["auxiliary"]]

func run(_ ruleId: String, _ b: CaseBundle, now: String, catalog: Catalog = defaultCatalog) -> [Finding] {
    let engine = PatrolEngine(catalog: catalog, only: [ruleId])
    #expect(engine.rules.count == 1, "rule \(ruleId) not in the catalog")
    let ctx = PatrolContext(now: Instant.parse(now)!, calendar: calendar, officerRoles: officerRoles)
    return engine.evaluate(b, context: ctx)
}

func runIncident(_ ruleId: String, _ incident: [String: StoredValue], linkedCase: [String: StoredValue]?, now: String) -> [Finding] {
    let engine = PatrolEngine(catalog: defaultCatalog, only: [ruleId])
    let ctx = PatrolContext(now: Instant.parse(now)!, calendar: calendar, officerRoles: officerRoles)
    let inc = Record(.incidents, ["incident_id": S("I1"), "received_at": T("2026-03-01 10:00"), "source": S("110"),
                                  "category": S("criminal"), "unit_id": S("U01")].merging(incident) { $1 })
    let c = linkedCase.map { Record(.cases, ["case_id": S("C1"), "case_type": S("criminal"), "cause": S("盗窃"),
                                             "unit_id": S("U01"), "accepted_at": T("2026-03-01 12:00"),
                                             "status": S("handling")].merging($0) { $1 }) }
    return engine.evaluate(incident: inc, linkedCase: c, context: ctx)
}

/// Asserts exactly one finding of the kind, with the deadline (ISO 8601 +08:00 as exported).
func expectOne(_ fs: [Finding], _ kind: FindingKind, due: String?, subject: String? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(fs.count == 1, "expected one finding, got \(fs.map { "\($0.kind) \($0.subjectIds)" })", sourceLocation: sourceLocation)
    guard let f = fs.first else { return }
    #expect(f.kind == kind, sourceLocation: sourceLocation)
    #expect(f.dueAt?.iso8601CST == due, "due \(f.dueAt?.iso8601CST ?? "nil"): \(f.explanation)", sourceLocation: sourceLocation)
    if let subject { #expect(f.subjectIds == [subject], sourceLocation: sourceLocation) }
    #expect(!f.basis.isEmpty && !f.explanation.isEmpty && !f.facts.isEmpty, sourceLocation: sourceLocation)
}

func expectNone(_ fs: [Finding], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(fs.isEmpty, "expected no finding, got \(fs.map { "\($0.kind) \($0.dueAt?.iso8601CST ?? "-"): \($0.explanation)" })",
            sourceLocation: sourceLocation)
}
