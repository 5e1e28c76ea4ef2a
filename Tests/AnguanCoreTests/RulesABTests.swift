import AnguanCore
import Testing

@Suite("Rules A: 警情与受立案")
struct RulesATests {
    @Test func incidentOffSystem() {
        let none: [String: StoredValue] = [:]
        expectOne(runIncident("incident_off_system", none, linkedCase: nil, now: "2026-03-04 10:01"), .overdue,
                  due: "2026-03-04T10:00:00+08:00", subject: "I1")
        expectOne(runIncident("incident_off_system", none, linkedCase: nil, now: "2026-03-04 10:00"), .warning,
                  due: "2026-03-04T10:00:00+08:00")
        expectNone(runIncident("incident_off_system", none, linkedCase: nil, now: "2026-03-03 09:59"))
        expectNone(runIncident("incident_off_system", ["disposition": S("no_offence")], linkedCase: nil, now: "2026-03-09 10:00"))
        expectNone(runIncident("incident_off_system", ["category": S("dispute")], linkedCase: nil, now: "2026-03-09 10:00"))
        expectNone(runIncident("incident_off_system", ["case_id": S("C1")], linkedCase: [:], now: "2026-03-09 10:00"))
        // A case_opened disposition with no existing case fires whatever the category.
        expectOne(runIncident("incident_off_system", ["category": S("dispute"), "disposition": S("case_opened")],
                              linkedCase: nil, now: "2026-03-09 10:00"), .overdue, due: "2026-03-04T10:00:00+08:00")
    }

    @Test func adminFilingOverdue() {
        let inc: [[String: StoredValue]] = [["incident_id": S("I1"), "received_at": T("2026-03-02 08:00")]]
        let base: [String: StoredValue] = ["case_type": S("administrative"), "incident_id": S("I1")]
        expectOne(run("admin_filing_overdue", bundle(base.merging(["accepted_at": T("2026-03-03 08:01")]) { $1 }, incidents: inc),
                      now: "2026-03-10 00:00"), .overdue, due: "2026-03-03T08:00:00+08:00")
        expectNone(run("admin_filing_overdue", bundle(base.merging(["accepted_at": T("2026-03-03 08:00")]) { $1 }, incidents: inc),
                       now: "2026-03-10 00:00"))
        // 3 d with an approved extension; the last day (10-01) is 国庆节, so it ends 10-08 24:00.
        let inc2: [[String: StoredValue]] = [["incident_id": S("I1"), "received_at": T("2026-09-28 15:00")]]
        let ext = base.merging(["review_extension": S("3d")]) { $1 }
        expectNone(run("admin_filing_overdue", bundle(ext.merging(["accepted_at": T("2026-10-08 23:00")]) { $1 }, incidents: inc2),
                       now: "2026-10-20 00:00"))
        expectOne(run("admin_filing_overdue", bundle(ext.merging(["accepted_at": T("2026-10-09 00:01")]) { $1 }, incidents: inc2),
                      now: "2026-10-20 00:00"), .overdue, due: "2026-10-09T00:00:00+08:00")
    }

    @Test func criminalFilingOverdue() {
        expectNone(run("criminal_filing_overdue", bundle(["filing_decision": S("filed"), "filed_at": T("2026-03-05 23:59")]),
                       now: "2026-04-01 00:00"))
        expectOne(run("criminal_filing_overdue", bundle(["filing_decision": S("filed"), "filed_at": T("2026-03-06 00:01")]),
                      now: "2026-04-01 00:00"), .overdue, due: "2026-03-06T00:00:00+08:00")
        expectOne(run("criminal_filing_overdue", bundle(["filing_decision": S("pending")]), now: "2026-03-05 01:00"),
                  .warning, due: "2026-03-06T00:00:00+08:00")
        expectNone(run("criminal_filing_overdue", bundle(["filing_decision": S("pending")]), now: "2026-03-04 23:59"))
        // Last day 05-03 is 劳动节: the period ends on the first working day, 05-06.
        let may: [String: StoredValue] = ["accepted_at": T("2026-04-30 10:00"), "filing_decision": S("filed")]
        expectNone(run("criminal_filing_overdue", bundle(may.merging(["filed_at": T("2026-05-06 18:00")]) { $1 }), now: "2026-06-01 00:00"))
        expectOne(run("criminal_filing_overdue", bundle(may.merging(["filed_at": T("2026-05-07 00:01")]) { $1 }), now: "2026-06-01 00:00"),
                  .overdue, due: "2026-05-07T00:00:00+08:00")
        expectOne(run("criminal_filing_overdue", bundle(["review_extension": S("7d"), "filing_decision": S("filed"),
                                                         "filed_at": T("2026-03-10 00:01")]), now: "2026-04-01 00:00"),
                  .overdue, due: "2026-03-10T00:00:00+08:00")
    }

    @Test func mediationOfCrime() {
        let mediated: [String: StoredValue] = ["disposition": S("mediated"), "category": S("dispute")]
        expectOne(runIncident("mediation_of_crime", mediated, linkedCase: [:], now: "2026-03-09 10:00"), .breach, due: nil)
        expectNone(runIncident("mediation_of_crime", mediated, linkedCase: ["case_type": S("administrative"),
                                                                            "injury_level": S("minor")], now: "2026-03-09 10:00"))
        expectOne(runIncident("mediation_of_crime", mediated, linkedCase: ["case_type": S("administrative"),
                                                                           "injury_level": S("light")], now: "2026-03-09 10:00"),
                  .breach, due: nil)
        expectNone(runIncident("mediation_of_crime", mediated, linkedCase: nil, now: "2026-03-09 10:00"))
    }
}

@Suite("Rules B: 刑事强制措施")
struct RulesBTests {
    func m(_ kind: String, _ id: String, _ f: [String: StoredValue]) -> [String: StoredValue] {
        ["measure_id": S(id), "kind": S(kind)].merging(f) { $1 }
    }

    func m(_ kind: String, _ f: [String: StoredValue]) -> [String: StoredValue] { m(kind, "M1", f) }

    @Test func summonsOvertime() {
        let s = m("summons", ["started_at": T("2026-03-02 08:00")])
        expectNone(run("summons_overtime", bundle([:], measures: [s.merging(["ended_at": T("2026-03-02 20:00")]) { $1 }]), now: "2026-03-09 00:00"))
        expectOne(run("summons_overtime", bundle([:], measures: [s.merging(["ended_at": T("2026-03-02 20:01")]) { $1 }]), now: "2026-03-09 00:00"),
                  .overdue, due: "2026-03-02T20:00:00+08:00")
        expectNone(run("summons_overtime", bundle([:], measures: [s.merging(["ended_at": T("2026-03-03 08:00"), "complex": yes]) { $1 }]),
                       now: "2026-03-09 00:00"))
        expectOne(run("summons_overtime", bundle([:], measures: [s]), now: "2026-03-02 18:30"), .warning, due: "2026-03-02T20:00:00+08:00")
        expectNone(run("summons_overtime", bundle([:], measures: [s]), now: "2026-03-02 17:59"))
    }

    @Test func summonsConsecutive() {
        let first = m("summons", "M1", ["started_at": T("2026-03-02 08:00"), "ended_at": T("2026-03-02 18:00")])
        expectOne(run("summons_consecutive", bundle([:], measures: [first, m("summons", "M2", ["started_at": T("2026-03-03 05:59")])]),
                      now: "2026-03-09 00:00"), .breach, due: nil, subject: "M2")
        expectNone(run("summons_consecutive", bundle([:], measures: [first, m("compelled", "M2", ["started_at": T("2026-03-03 06:00")])]),
                       now: "2026-03-09 00:00"))
    }

    @Test func detentionCustody() {
        let d = m("detention", ["started_at": T("2026-03-02 10:00")])
        expectOne(run("detention_custody_overdue", bundle([:], measures: [d.merging(["custody_at": T("2026-03-03 10:01")]) { $1 }]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-03T10:00:00+08:00")
        expectNone(run("detention_custody_overdue", bundle([:], measures: [d.merging(["custody_at": T("2026-03-03 10:00")]) { $1 }]),
                       now: "2026-03-09 00:00"))
        expectNone(run("detention_custody_overdue", bundle([:], measures: [d.merging(["ended_at": T("2026-03-02 20:00")]) { $1 }]),
                       now: "2026-03-09 00:00"))
        expectOne(run("detention_custody_overdue", bundle([:], measures: [d]), now: "2026-03-03 07:00"), .warning,
                  due: "2026-03-03T10:00:00+08:00")
    }

    @Test func detentionFamilyNotice() {
        let d = m("detention", ["started_at": T("2026-03-02 10:00")])
        expectOne(run("detention_family_notice", bundle([:], measures: [d]), now: "2026-03-03 10:01"), .overdue,
                  due: "2026-03-03T10:00:00+08:00")
        expectNone(run("detention_family_notice", bundle([:], measures: [d.merging(["family_notified_at": T("2026-03-03 10:00")]) { $1 }]),
                       now: "2026-03-09 00:00"))
    }

    @Test func firstInterrogation() {
        let d = m("detention", ["started_at": T("2026-03-02 10:00")])
        func t(_ at: String) -> [String: StoredValue] {
            ["transcript_id": S("T-\(at)"), "kind": S("interrogation"), "started_at": T(at), "ended_at": T(at)]
        }
        expectNone(run("detention_first_interrogation", bundle([:], measures: [d], transcripts: [t("2026-03-03 10:00")]), now: "2026-03-09 00:00"))
        expectOne(run("detention_first_interrogation", bundle([:], measures: [d], transcripts: [t("2026-03-03 10:01"), t("2026-03-02 09:00")]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-03T10:00:00+08:00")
        let a = m("arrest", ["started_at": T("2026-03-02 10:00")])
        expectOne(run("arrest_first_interrogation", bundle([:], measures: [a]), now: "2026-03-03 10:01"), .overdue,
                  due: "2026-03-03T10:00:00+08:00")
    }

    @Test func arrestRequestOverdueNeverMovesInCustody() {
        // 3 d from 09-28: last day 10-01 is 国庆节, but the person is in custody: 10-01 24:00.
        let d = m("detention", "M1", ["started_at": T("2026-09-28 15:00")])
        func req(_ at: String) -> [String: StoredValue] { m("arrest_request", "M2", ["started_at": T(at)]) }
        expectOne(run("arrest_request_overdue", bundle([:], measures: [d, req("2026-10-02 09:00")]), now: "2026-10-20 00:00"),
                  .overdue, due: "2026-10-02T00:00:00+08:00", subject: "M1")
        expectNone(run("arrest_request_overdue", bundle([:], measures: [d, req("2026-10-01 23:00")]), now: "2026-10-20 00:00"))
        expectNone(run("arrest_request_overdue", bundle(["transferred_at": T("2026-10-01 12:00")], measures: [d]), now: "2026-10-20 00:00"))
        let d7 = d.merging(["extension": S("7d")]) { $1 }
        expectOne(run("arrest_request_overdue", bundle([:], measures: [d7]), now: "2026-10-06 00:01"), .overdue,
                  due: "2026-10-06T00:00:00+08:00")
        expectOne(run("arrest_request_overdue", bundle([:], measures: [d7]), now: "2026-10-05 00:00"), .warning,
                  due: "2026-10-06T00:00:00+08:00")
    }

    @Test func releaseAfterRejection() {
        let d = m("detention", "M1", ["started_at": T("2026-03-01 10:00")])
        let r = m("arrest_request", "M2", ["started_at": T("2026-03-03 10:00"), "ended_at": T("2026-03-05 10:00"), "outcome": S("rejected")])
        expectNone(run("release_after_rejection", bundle([:], measures: [d.merging(["ended_at": T("2026-03-05 22:00")]) { $1 }, r]),
                       now: "2026-03-09 00:00"))
        expectOne(run("release_after_rejection", bundle([:], measures: [d.merging(["ended_at": T("2026-03-05 22:01")]) { $1 }, r]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-05T22:00:00+08:00", subject: "M1")
    }

    @Test func arrestFamilyNoticeAndExecution() {
        expectOne(run("arrest_family_notice", bundle([:], measures: [m("arrest", ["started_at": T("2026-03-02 10:00")])]),
                      now: "2026-03-03 06:00"), .warning, due: "2026-03-03T10:00:00+08:00")
        let r = m("arrest_request", "M2", ["started_at": T("2026-03-03 10:00"), "ended_at": T("2026-03-05 10:00"), "outcome": S("approved")])
        expectNone(run("arrest_execution_delay", bundle([:], measures: [r, m("arrest", "M3", ["started_at": T("2026-03-06 10:00")])]),
                       now: "2026-03-09 00:00"))
        expectOne(run("arrest_execution_delay", bundle([:], measures: [r, m("arrest", "M3", ["started_at": T("2026-03-06 10:01")])]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-06T10:00:00+08:00", subject: "M2")
    }

    @Test func custodyTermExpiring() {
        // 2 months from 01-31 end on 03-31 24:00.
        let a = m("arrest", ["started_at": T("2026-01-31 10:00")])
        expectOne(run("custody_term_expiring", bundle([:], measures: [a]), now: "2026-03-26 00:00"), .warning, due: "2026-04-01T00:00:00+08:00")
        expectNone(run("custody_term_expiring", bundle([:], measures: [a]), now: "2026-03-24 23:59"))
        expectOne(run("custody_term_expiring", bundle([:], measures: [a]), now: "2026-04-01 00:01"), .overdue, due: "2026-04-01T00:00:00+08:00")
        expectNone(run("custody_term_expiring", bundle(["status": S("transferred")], measures: [a]), now: "2026-04-01 00:01"))
        // +1 m in one step: 3 months from 01-31 → 04-30 24:00.
        expectOne(run("custody_term_expiring", bundle([:], measures: [a.merging(["extension": S("1m")]) { $1 }]), now: "2026-05-02 00:00"),
                  .overdue, due: "2026-05-01T00:00:00+08:00")
    }

    @Test func bailOverdue() {
        // 12 months from 2025-04-30 → 2026-04-30 24:00 (a Thursday).
        let b1 = m("bail", ["started_at": T("2025-04-30 10:00")])
        expectOne(run("bail_overdue", bundle([:], measures: [b1.merging(["ended_at": T("2026-05-01 00:01")]) { $1 }]), now: "2026-06-01 00:00"),
                  .overdue, due: "2026-05-01T00:00:00+08:00")
        // From 2025-05-03: last day 2026-05-03 is 劳动节 → first working day 05-06.
        let b2 = m("bail", ["started_at": T("2025-05-03 10:00")])
        expectNone(run("bail_overdue", bundle([:], measures: [b2.merging(["ended_at": T("2026-05-06 12:00")]) { $1 }]), now: "2026-06-01 00:00"))
        expectOne(run("bail_overdue", bundle([:], measures: [b2.merging(["ended_at": T("2026-05-07 00:01")]) { $1 }]), now: "2026-06-01 00:00"),
                  .overdue, due: "2026-05-07T00:00:00+08:00")
        expectOne(run("bail_overdue", bundle([:], measures: [b2]), now: "2026-04-25 00:00"), .warning, due: "2026-05-07T00:00:00+08:00")
    }

    @Test func bailStalled() {
        let bail = m("bail", ["started_at": T("2026-01-10 10:00")])
        let old: [String: StoredValue] = ["transcript_id": S("T1"), "kind": S("inquiry"), "started_at": T("2026-03-01 10:00"),
                                          "ended_at": T("2026-03-01 11:00")]
        expectOne(run("bail_stalled", bundle([:], measures: [bail], transcripts: [old]), now: "2026-07-20 00:00"), .overdue,
                  due: "2026-07-11T00:00:00+08:00")
        let recent = old.merging(["started_at": T("2026-06-01 10:00")]) { $1 }
        expectNone(run("bail_stalled", bundle([:], measures: [bail], transcripts: [recent]), now: "2026-07-20 00:00"))
        expectNone(run("bail_stalled", bundle([:], measures: [bail], transcripts: [old]), now: "2026-07-10 23:00"))
    }

    @Test func surveillance() {
        let s = m("surveillance", ["started_at": T("2026-01-15 10:00"), "ended_at": T("2026-07-16 00:01")])
        expectOne(run("surveillance_overdue", bundle([:], measures: [s]), now: "2026-08-01 00:00"), .overdue, due: "2026-07-16T00:00:00+08:00")
        let d = m("designated_surveillance", ["started_at": T("2026-03-02 10:00"), "family_notified_at": T("2026-03-03 10:00")])
        expectNone(run("designated_surveillance_notice", bundle([:], measures: [d]), now: "2026-03-09 00:00"))
    }

    @Test func supplementaryInvestigation() {
        let back: [String: StoredValue] = ["push_id": S("P1"), "kind": S("supplementary_investigation"), "from_org": S("procuratorate"),
                                           "to_org": S("police"), "pushed_at": T("2026-03-01 10:00"), "received_at": T("2026-03-02 10:00")]
        func again(_ at: String) -> [String: StoredValue] {
            ["push_id": S("P2"), "kind": S("prosecution_transfer"), "pushed_at": T(at)]
        }
        expectNone(run("supplementary_investigation_overdue", bundle([:], coordination: [back, again("2026-04-02 23:00")]), now: "2026-05-01 00:00"))
        expectOne(run("supplementary_investigation_overdue", bundle([:], coordination: [back, again("2026-04-03 00:01")]), now: "2026-05-01 00:00"),
                  .overdue, due: "2026-04-03T00:00:00+08:00", subject: "P1")
        // Last day 10-01 (国庆节) moves to 10-08 — unless a suspect is in custody at 24:00 of that day.
        let sep = back.merging(["pushed_at": T("2026-09-01 09:00"), "received_at": T("2026-09-01 10:00")]) { $1 }
        expectNone(run("supplementary_investigation_overdue", bundle([:], coordination: [sep, again("2026-10-08 12:00")]), now: "2026-11-01 00:00"))
        let held = m("arrest", ["started_at": T("2026-06-01 10:00")])
        expectOne(run("supplementary_investigation_overdue", bundle([:], measures: [held], coordination: [sep, again("2026-10-08 12:00")]),
                      now: "2026-11-01 00:00"), .overdue, due: "2026-10-02T00:00:00+08:00")
    }

    @Test func supplementaryInvestigationLimit() {
        func back(_ id: String, _ at: String) -> [String: StoredValue] {
            ["push_id": S(id), "kind": S("supplementary_investigation"), "from_org": S("procuratorate"), "pushed_at": T(at)]
        }
        expectNone(run("supplementary_investigation_limit", bundle([:], coordination: [back("P1", "2026-03-01 10:00"), back("P2", "2026-04-01 10:00")]),
                       now: "2026-05-01 00:00"))
        expectOne(run("supplementary_investigation_limit", bundle([:], coordination: [back("P3", "2026-05-01 10:00"), back("P1", "2026-03-01 10:00"),
                                                                                     back("P2", "2026-04-01 10:00")]),
                      now: "2026-06-01 00:00"), .breach, due: nil, subject: "P3")
    }

    @Test func fastTrackCandidate() {
        expectOne(run("fast_track_candidate", bundle(["max_sentence_years": N(3), "plea": yes]), now: "2026-03-09 00:00"), .advisory, due: nil)
        expectNone(run("fast_track_candidate", bundle(["max_sentence_years": N(5), "plea": yes]), now: "2026-03-09 00:00"))
        expectNone(run("fast_track_candidate", bundle(["max_sentence_years": N(3), "plea": yes, "fast_track": yes]), now: "2026-03-09 00:00"))
        let f = run("fast_track_candidate", bundle(["max_sentence_years": N(1), "plea": yes]), now: "2026-03-09 00:00")
        #expect(f.first?.severity == .advisory)
    }
}
