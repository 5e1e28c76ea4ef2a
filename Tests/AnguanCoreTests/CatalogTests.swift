import AnguanCore
import Testing

@Suite("Catalog as data")
struct CatalogTests {
    @Test func theDefaultCatalogHasEveryRuleOfSectionsAToG() throws {
        let ids = Set(defaultCatalog.rules.map(\.id))
        for id in ["incident_off_system", "admin_filing_overdue", "criminal_filing_overdue", "mediation_of_crime", "summons_overtime",
                   "summons_consecutive", "detention_custody_overdue", "detention_family_notice", "detention_first_interrogation",
                   "arrest_request_overdue", "release_after_rejection", "arrest_family_notice", "arrest_first_interrogation",
                   "arrest_execution_delay", "custody_term_expiring", "bail_overdue", "bail_stalled", "surveillance_overdue",
                   "designated_surveillance_notice", "supplementary_investigation_overdue", "supplementary_investigation_limit",
                   "fast_track_candidate", "two_officers", "interrogation_outside_jail", "interrogation_av_missing",
                   "inquiry_av_missing", "minor_guardian_absent", "admin_summons_overtime", "admin_summons_family_notice",
                   "questioning_hold_vulnerable", "questioning_hold_overtime", "admin_case_overdue", "admin_detention_exempt",
                   "admin_detention_family_notice", "injury_commission_overdue", "injury_report_overdue", "injury_case_type_mismatch",
                   "property_handover_overdue", "property_self_custody", "property_not_with_case", "property_disposal_pending",
                   "venue_security_check", "venue_health_check", "venue_stay_overtime", "capture_not_in_center"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(defaultCatalog.rules.allSatisfy { $0.enabled && !$0.basis.isEmpty })
    }

    func load(_ yaml: String) throws -> Catalog {
        try Catalog.load(overrides: try Catalog.entries(yaml: yaml, source: "branch.yaml"))
    }

    func refusal(_ yaml: String) -> String {
        do {
            _ = try load(yaml)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func aBranchTunesAndDisablesRules() throws {
        let c = try load("""
            - id: summons_overtime
              limit: 10h
              warn: 3h
              severity: major
            - id: venue_health_check
              enabled: false
            """)
        let r = try #require(c.rule("summons_overtime"))
        #expect(r.limit == Period(10, .hours))
        #expect(r.warn == Period(3, .hours))
        #expect(r.severity == .major)
        #expect(c.rule("venue_health_check")?.enabled == false)
        #expect(c.version != defaultCatalog.version)
        let b = bundle([:], measures: [["measure_id": S("M1"), "kind": S("summons"), "started_at": T("2026-03-02 08:00"),
                                        "ended_at": T("2026-03-02 18:01")]])
        expectOne(run("summons_overtime", b, now: "2026-03-09 00:00", catalog: c), .overdue, due: "2026-03-02T18:00:00+08:00")
        #expect(PatrolEngine(catalog: c).rules.contains { $0.id == "venue_health_check" } == false)
    }

    @Test func aBranchAddsRulesOfEachShape() throws {
        let c = try load("""
            - id: property_storage_missing
              name: 在库财物未登记保管场所
              subject: property
              shape: required
              field: storage
              where: [status=in_store]
              severity: minor
              basis: 本分局涉案财物管理细则
            - id: visit_info_collection
              name: 入区信息采集超时
              subject: visit
              shape: deadline
              from: entered_at
              to: info_collected_at
              limit: 2h
              warn: 30min
              severity: minor
              basis: 本分局办案区管理细则
            - id: cash_held_by_officer
              name: 现金由办案人员持有
              subject: property
              shape: forbidden
              where: [category=现金, status=held]
              severity: grave
              basis: 本分局涉案财物管理细则
            """)
        let p: [String: StoredValue] = ["property_id": S("W1"), "seized_at": T("2026-03-02 10:00"), "status": S("in_store")]
        expectOne(run("property_storage_missing", bundle([:], property: [p]), now: "2026-03-09 00:00", catalog: c), .missing, due: nil)
        expectNone(run("property_storage_missing", bundle([:], property: [p.merging(["storage": S("中心库")]) { $1 }]), now: "2026-03-09 00:00", catalog: c))
        let v: [String: StoredValue] = ["visit_id": S("V1"), "entered_at": T("2026-03-02 10:00")]
        expectOne(run("visit_info_collection", bundle([:], visits: [v.merging(["info_collected_at": T("2026-03-02 12:01")]) { $1 }]),
                      now: "2026-03-09 00:00", catalog: c), .overdue, due: "2026-03-02T12:00:00+08:00")
        expectOne(run("visit_info_collection", bundle([:], visits: [v]), now: "2026-03-02 11:45", catalog: c), .warning,
                  due: "2026-03-02T12:00:00+08:00")
        expectOne(run("cash_held_by_officer", bundle([:], property: [p.merging(["category": S("cash"), "status": S("held")]) { $1 }]),
                      now: "2026-03-09 00:00", catalog: c), .breach, due: nil)
        expectNone(run("cash_held_by_officer", bundle([:], property: [p.merging(["category": S("cash")]) { $1 }]), now: "2026-03-09 00:00", catalog: c))
    }

    @Test(arguments: [
        ("- id: summons_overtime\n  limit: twelve hours\n", "rule summons_overtime: bad limit \"twelve hours\""),
        ("- id: summons_overtime\n  warn: -2h\n", "rule summons_overtime: bad pre-warning window \"-2h\""),
        ("- id: summons_overtime\n  holidays: sometimes\n", "rule summons_overtime: bad holiday policy"),
        ("- id: summons_overtime\n  severity: huge\n", "rule summons_overtime: unknown severity \"huge\""),
        ("- id: summons_overtime\n  limits: [{when: colour=red, limit: 3h}]\n", "rule summons_overtime: condition \"colour=red\": measures has no field colour"),
        ("- id: summons_overtime\n  limits: [{when: kind=jail, limit: 3h}]\n", "\"jail\" is not a measure kind"),
        ("- id: my_rule\n  name: x\n  subject: measure\n  severity: minor\n  basis: x\n", "rule my_rule: is not a built-in rule"),
        ("- id: my_rule\n  name: x\n  subject: jail\n  shape: required\n  field: x\n  severity: minor\n  basis: x\n", "rule my_rule: unknown subject \"jail\""),
        ("- id: my_rule\n  name: x\n  subject: measure\n  shape: required\n  field: colour\n  severity: minor\n  basis: x\n", "rule my_rule: field: measures has no field colour"),
        ("- id: my_rule\n  name: x\n  subject: measure\n  shape: deadline\n  from: kind\n  limit: 3h\n  severity: minor\n  basis: x\n", "from: kind is not a time"),
        ("- id: my_rule\n  name: x\n  subject: measure\n  shape: deadline\n  from: started_at\n  severity: minor\n  basis: x\n", "a deadline rule needs a limit"),
        ("- id: my_rule\n  name: x\n  subject: measure\n  shape: forbidden\n  severity: minor\n  basis: x\n", "a forbidden rule needs where conditions"),
        ("- id: my_rule\n  name: x\n  subject: measure\n  shape: required\n  field: ended_at\n  severity: minor\n", "rule my_rule: has no legal basis text"),
        ("- id: bail_stalled\n  params: {open: soon}\n", "parameter open = \"soon\""),
        ("not: a list", "is not a valid rule list"),
    ])
    func aRuleThatCannotBeEvaluatedIsRefusedWithItsReason(_ yaml: String, _ expected: String) {
        let message = refusal(yaml)
        #expect(message.contains(expected), "got: \(message)")
    }

    @Test func exportLineIsStable() {
        let f = Finding(ruleId: "arrest_request_overdue", ruleName: "提请批捕超期", kind: .overdue, severity: .grave,
                        subjectKind: .measure, subjectIds: ["M-2026-0042"], caseId: "C-17", unitId: "U-03", officerId: "032117",
                        dueAt: Instant.parse("2026-03-05 00:00"), facts: ["measures.started_at = 2026-03-01 10:00:00"],
                        explanation: "说明\n换行", basis: "CPL 91")
        #expect(f.exportLine.hasPrefix(#"{"rule_id":"arrest_request_overdue","finding":"overdue","severity":"grave","subject_kind":"measure","subject_ids":["M-2026-0042"],"case_id":"C-17","unit_id":"U-03","officer_id":"032117","due_at":"2026-03-05T00:00:00+08:00","#))
        #expect(f.exportLine.contains(#""explanation":"说明\n换行""#))
        var g = f
        g.dueAt = nil
        g.caseId = nil
        #expect(g.exportLine.contains(#""case_id":null"#) && g.exportLine.contains(#""due_at":null"#))
    }
}

@Suite("Patrol as of a reference time")
struct AsOfTests {
    @Test func whatHappenedAfterNowIsNotSeen() {
        // The custody at 03-03 10:01 had not happened at 03-03 08:00: then it was a warning, not overdue.
        let b = bundle([:], measures: [["measure_id": S("M1"), "kind": S("detention"), "started_at": T("2026-03-02 10:00"),
                                        "custody_at": T("2026-03-03 10:01")]])
        expectOne(run("detention_custody_overdue", b, now: "2026-03-03 08:00"), .warning, due: "2026-03-03T10:00:00+08:00")
        expectOne(run("detention_custody_overdue", b, now: "2026-03-04 08:00"), .overdue, due: "2026-03-03T10:00:00+08:00")
        // A case accepted after now does not exist yet.
        expectNone(run("criminal_filing_overdue", bundle(["filing_decision": S("pending")]), now: "2026-03-01 00:00"))
    }
}

@Suite("A year the calendar does not cover")
struct UncoveredYearTests {
    @Test func theFindingSaysSoAndNeverAssumesAWorkday() throws {
        let bail: [String: StoredValue] = ["measure_id": S("M1"), "kind": S("bail"), "started_at": T("2026-02-01 10:00")]
        let f = run("bail_overdue", bundle([:], measures: [bail]), now: "2027-02-05 00:00")
        expectOne(f, .overdue, due: "2027-02-02T00:00:00+08:00")
        #expect(f.first?.explanation.contains("节假日日历未覆盖 2027 年") == true)
    }

    @Test func aPeriodClosedBeforeItsLastDayNeedsNoCalendar() {
        let bail: [String: StoredValue] = ["measure_id": S("M1"), "kind": S("bail"), "started_at": T("2026-02-01 10:00"),
                                           "ended_at": T("2026-06-01 10:00")]
        expectNone(run("bail_overdue", bundle([:], measures: [bail]), now: "2027-02-05 00:00"))
    }
}

@Suite("As of now: records under way")
struct UnderWayTests {
    @Test func anInterrogationUnderWayCountsAsStarted() {
        let b = bundle([:], measures: [["measure_id": S("M1"), "kind": S("detention"), "started_at": T("2026-03-02 10:00")]],
                       transcripts: [["transcript_id": S("T1"), "kind": S("interrogation"), "started_at": T("2026-03-03 09:00"),
                                      "ended_at": T("2026-03-03 11:00")]])
        // At 10:30 the interrogation (started 09:00) is under way: the first interrogation came in time.
        expectNone(run("detention_first_interrogation", b, now: "2026-03-03 10:30"))
    }
}
