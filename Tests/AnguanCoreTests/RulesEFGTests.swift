import AnguanCore
import Testing

@Suite("Rules E–G: 伤情鉴定、涉案财物、执法办案场所")
struct RulesEFGTests {
    @Test func injuryCommission() {
        let c: [String: StoredValue] = ["cause": S("故意伤害")]
        expectOne(run("injury_commission_overdue", bundle(c, appraisals: [["appraisal_id": S("A1"), "commissioned_at": T("2026-03-03 10:01")]]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-03T10:00:00+08:00")
        expectNone(run("injury_commission_overdue", bundle(c, appraisals: [["appraisal_id": S("A1"), "commissioned_at": T("2026-03-03 10:00")]]),
                       now: "2026-03-09 00:00"))
        expectOne(run("injury_commission_overdue", bundle(["cause": S("殴打他人"), "case_type": S("administrative")]), now: "2026-03-03 07:00"),
                  .warning, due: "2026-03-03T10:00:00+08:00")
        expectNone(run("injury_commission_overdue", bundle(["injury_level": S("none")]), now: "2026-03-09 00:00"))
    }

    @Test func injuryReport() {
        let a: [String: StoredValue] = ["appraisal_id": S("A1"), "commissioned_at": T("2026-03-02 10:00")]
        expectOne(run("injury_report_overdue", bundle([:], appraisals: [a.merging(["completed_at": T("2026-03-10 00:01")]) { $1 }]),
                      now: "2026-04-01 00:00"), .overdue, due: "2026-03-10T00:00:00+08:00", subject: "A1")
        // 7 d from 09-24: last day 10-01 → 10-08.
        let sep: [String: StoredValue] = ["appraisal_id": S("A1"), "commissioned_at": T("2026-09-24 10:00"), "completed_at": T("2026-10-08 18:00")]
        expectNone(run("injury_report_overdue", bundle([:], appraisals: [sep]), now: "2026-11-01 00:00"))
    }

    @Test func injuryCaseTypeMismatch() {
        let admin: [String: StoredValue] = ["case_type": S("administrative")]
        expectOne(run("injury_case_type_mismatch", bundle(admin, appraisals: [["appraisal_id": S("A1"), "commissioned_at": T("2026-03-02 10:00"),
                                                                               "result": S("轻伤二级")]]), now: "2026-03-09 00:00"), .breach, due: nil)
        expectNone(run("injury_case_type_mismatch", bundle(admin, appraisals: [["appraisal_id": S("A1"), "commissioned_at": T("2026-03-02 10:00"),
                                                                                "result": S("轻微伤")]]), now: "2026-03-09 00:00"))
        expectNone(run("injury_case_type_mismatch", bundle(["injury_level": S("light")]), now: "2026-03-09 00:00"))
    }

    @Test func propertyRules() {
        let p: [String: StoredValue] = ["property_id": S("W1"), "seized_at": T("2026-03-02 10:00"), "category": S("electronic")]
        expectOne(run("property_handover_overdue", bundle([:], property: [p.merging(["handed_over_at": T("2026-03-03 10:01"), "status": S("in_store")]) { $1 }]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-03T10:00:00+08:00")
        expectOne(run("property_handover_overdue", bundle([:], property: [p.merging(["status": S("held")]) { $1 }]), now: "2026-03-03 07:00"),
                  .warning, due: "2026-03-03T10:00:00+08:00")
        expectNone(run("property_handover_overdue", bundle([:], property: [p.merging(["status": S("returned")]) { $1 }]), now: "2026-03-09 00:00"))
        let held = p.merging(["status": S("held")]) { $1 }
        expectOne(run("property_self_custody", bundle([:], property: [held]), now: "2026-03-05 10:01"), .breach, due: nil)
        expectNone(run("property_self_custody", bundle([:], property: [held]), now: "2026-03-05 10:00"))
        let transferred: [String: StoredValue] = ["status": S("transferred"), "transferred_at": T("2026-04-01 10:00")]
        expectOne(run("property_not_with_case", bundle(transferred, property: [p.merging(["status": S("in_store")]) { $1 }]), now: "2026-04-09 00:00"),
                  .missing, due: nil)
        expectNone(run("property_not_with_case", bundle(transferred, property: [p.merging(["status": S("in_store"), "category": S("cash")]) { $1 }]),
                       now: "2026-04-09 00:00"))
        expectNone(run("property_not_with_case", bundle(transferred, property: [p.merging(["status": S("with_case")]) { $1 }]), now: "2026-04-09 00:00"))
        let closed: [String: StoredValue] = ["case_type": S("administrative"), "status": S("closed"), "closed_at": T("2026-01-10 10:00")]
        let stored = p.merging(["status": S("in_store")]) { $1 }
        expectOne(run("property_disposal_pending", bundle(closed, property: [stored]), now: "2026-07-11 00:01"), .overdue,
                  due: "2026-07-11T00:00:00+08:00")
        expectOne(run("property_disposal_pending", bundle(closed, property: [stored]), now: "2026-06-30 00:00"), .warning,
                  due: "2026-07-11T00:00:00+08:00")
        expectNone(run("property_disposal_pending", bundle(closed, property: [stored]), now: "2026-06-20 00:00"))
    }

    @Test func venueChecks() {
        let v: [String: StoredValue] = ["visit_id": S("V1"), "entered_at": T("2026-03-02 10:00"), "left_at": T("2026-03-02 12:00")]
        expectNone(run("venue_security_check", bundle([:], visits: [v.merging(["security_check_at": T("2026-03-02 10:30")]) { $1 }]), now: "2026-03-09 00:00"))
        expectOne(run("venue_security_check", bundle([:], visits: [v.merging(["security_check_at": T("2026-03-02 10:31")]) { $1 }]), now: "2026-03-09 00:00"),
                  .overdue, due: "2026-03-02T10:30:00+08:00")
        expectOne(run("venue_health_check", bundle([:], visits: [v]), now: "2026-03-09 00:00"), .overdue, due: "2026-03-02T11:00:00+08:00")
    }

    @Test func venueStay() {
        let s = ms("admin_summons", ["started_at": T("2026-03-02 08:00"), "ended_at": T("2026-03-02 15:00")])
        let v: [String: StoredValue] = ["visit_id": S("V1"), "entered_at": T("2026-03-02 08:30")]
        expectNone(run("venue_stay_overtime", bundle([:], measures: [s], visits: [v.merging(["left_at": T("2026-03-02 16:30")]) { $1 }]), now: "2026-03-09 00:00"))
        expectOne(run("venue_stay_overtime", bundle([:], measures: [s], visits: [v.merging(["left_at": T("2026-03-02 16:31")]) { $1 }]), now: "2026-03-09 00:00"),
                  .overdue, due: "2026-03-02T16:30:00+08:00")
        // No measure: 24 h default. A detention sets no limit here.
        expectOne(run("venue_stay_overtime", bundle([:], visits: [v.merging(["left_at": T("2026-03-03 08:31")]) { $1 }]), now: "2026-03-09 00:00"),
                  .overdue, due: "2026-03-03T08:30:00+08:00")
        let d = ms("detention", ["started_at": T("2026-03-02 08:00")])
        expectNone(run("venue_stay_overtime", bundle([:], measures: [d], visits: [v.merging(["left_at": T("2026-03-03 20:00")]) { $1 }]), now: "2026-03-09 00:00"))
    }

    @Test func captureNotInCenter() {
        let p: [[String: StoredValue]] = [["role": S("suspect"), "captured_at": T("2026-03-02 10:00")]]
        let d = [ms("detention", ["started_at": T("2026-03-02 10:00")])]
        expectNone(run("capture_not_in_center", bundle([:], persons: p, measures: d, visits: [["visit_id": S("V1"), "entered_at": T("2026-03-03 10:00")]]),
                       now: "2026-03-09 00:00"))
        expectOne(run("capture_not_in_center", bundle([:], persons: p, measures: d), now: "2026-03-03 10:01"), .missing, due: nil, subject: "P1")
        expectNone(run("capture_not_in_center", bundle([:], persons: p, measures: d), now: "2026-03-03 09:59"))
        expectNone(run("capture_not_in_center", bundle([:], persons: p, measures: [ms("bail", ["started_at": T("2026-03-02 10:00")])]), now: "2026-03-09 00:00"))
    }
}
