import AnguanCore
import Testing

func tr(_ kind: String, _ at: String, _ f: [String: StoredValue] = [:]) -> [String: StoredValue] {
    ["transcript_id": S("T1"), "kind": S(kind), "started_at": T(at), "ended_at": T(at)].merging(f) { $1 }
}

func ms(_ kind: String, _ f: [String: StoredValue], id: String = "M1") -> [String: StoredValue] {
    ["measure_id": S(id), "kind": S(kind)].merging(f) { $1 }
}

@Suite("Rules C: 讯问、询问与笔录")
struct RulesCTests {
    @Test func twoOfficers() {
        expectOne(run("two_officers", bundle([:], transcripts: [tr("interrogation", "2026-03-02 10:00", ["officer_ids": S("O1;A1")])]),
                      now: "2026-03-09 00:00"), .breach, due: nil, subject: "T1")
        expectNone(run("two_officers", bundle([:], transcripts: [tr("interrogation", "2026-03-02 10:00")]), now: "2026-03-09 00:00"))
        // A criminal inquiry of a witness has no national minimum.
        expectNone(run("two_officers", bundle([:], transcripts: [tr("inquiry", "2026-03-02 10:00", ["officer_ids": S("O1")])]),
                       now: "2026-03-09 00:00"))
        // Administrative, from 2026: one officer inside the venue visit with audio-video is allowed.
        let admin: [String: StoredValue] = ["case_type": S("administrative")]
        let visit: [[String: StoredValue]] = [["visit_id": S("V1"), "entered_at": T("2026-03-02 09:00"), "left_at": T("2026-03-02 12:00")]]
        let one = tr("inquiry", "2026-03-02 10:00", ["officer_ids": S("O1"), "av_recorded": yes])
        expectNone(run("two_officers", bundle(admin, transcripts: [one], visits: visit), now: "2026-03-09 00:00"))
        expectOne(run("two_officers", bundle(admin, transcripts: [one.merging(["av_recorded": no]) { $1 }], visits: visit),
                      now: "2026-03-09 00:00"), .breach, due: nil)
        let visit2025: [[String: StoredValue]] = [["visit_id": S("V1"), "entered_at": T("2025-12-31 09:00"), "left_at": T("2025-12-31 12:00")]]
        expectOne(run("two_officers", bundle(admin, transcripts: [tr("inquiry", "2025-12-31 10:00", ["officer_ids": S("O1"), "av_recorded": yes])],
                                             visits: visit2025), now: "2026-03-09 00:00"), .breach, due: nil)
        expectOne(run("two_officers", bundle(admin, transcripts: [tr("inspection", "2026-03-02 10:00", ["officer_ids": S("O1"), "av_recorded": yes])],
                                             visits: visit), now: "2026-03-09 00:00"), .breach, due: nil)
    }

    @Test func interrogationOutsideJail() {
        let held = ms("detention", ["started_at": T("2026-03-02 10:00"), "custody_at": T("2026-03-02 20:00")])
        expectOne(run("interrogation_outside_jail", bundle([:], measures: [held],
                                                           transcripts: [tr("interrogation", "2026-03-03 09:00", ["location": S("执法办案中心讯问室1")])]),
                      now: "2026-03-09 00:00"), .breach, due: nil)
        expectNone(run("interrogation_outside_jail", bundle([:], measures: [held],
                                                            transcripts: [tr("interrogation", "2026-03-03 09:00", ["location": S("常州市看守所提讯室")])]),
                       now: "2026-03-09 00:00"))
        expectNone(run("interrogation_outside_jail", bundle([:], measures: [held],
                                                            transcripts: [tr("interrogation", "2026-03-02 19:00", ["location": S("执法办案中心")])]),
                       now: "2026-03-09 00:00"))
    }

    @Test func interrogationAV() {
        let t = [tr("interrogation", "2026-03-02 10:00", ["av_recorded": no])]
        expectOne(run("interrogation_av_missing", bundle(["cause": S("抢劫"), "max_sentence_years": N(3)], transcripts: t), now: "2026-03-09 00:00"),
                  .missing, due: nil)
        expectOne(run("interrogation_av_missing", bundle(["cause": S("诈骗"), "max_sentence_years": N(10)], transcripts: t), now: "2026-03-09 00:00"),
                  .missing, due: nil)
        expectNone(run("interrogation_av_missing", bundle(["cause": S("交通肇事"), "max_sentence_years": N(10)], transcripts: t), now: "2026-03-09 00:00"))
        expectOne(run("interrogation_av_missing", bundle(["cause": S("故意伤害"), "injury_level": S("serious"), "max_sentence_years": N(3)],
                                                         transcripts: t), now: "2026-03-09 00:00"), .missing, due: nil)
        expectNone(run("interrogation_av_missing", bundle(["cause": S("故意伤害"), "injury_level": S("light"), "max_sentence_years": N(3)],
                                                          transcripts: t), now: "2026-03-09 00:00"))
        expectNone(run("interrogation_av_missing", bundle(["cause": S("抢劫")], transcripts: [tr("interrogation", "2026-03-02 10:00", ["av_recorded": yes])]),
                       now: "2026-03-09 00:00"))
    }

    @Test func inquiryAV() {
        let admin: [String: StoredValue] = ["case_type": S("administrative")]
        let offender: [[String: StoredValue]] = [["role": S("offender")]]
        let visit: [[String: StoredValue]] = [["visit_id": S("V1"), "entered_at": T("2026-03-02 09:00"), "left_at": T("2026-03-02 12:00")]]
        expectOne(run("inquiry_av_missing", bundle(admin, persons: offender, transcripts: [tr("inquiry", "2026-03-02 10:00")], visits: visit),
                      now: "2026-03-09 00:00"), .missing, due: nil)
        expectNone(run("inquiry_av_missing", bundle(admin, persons: offender, transcripts: [tr("inquiry", "2026-03-02 13:00")], visits: visit),
                       now: "2026-03-09 00:00"))
        expectNone(run("inquiry_av_missing", bundle(admin, persons: [["role": S("victim")]], transcripts: [tr("inquiry", "2026-03-02 10:00")],
                                                    visits: visit), now: "2026-03-09 00:00"))
    }

    @Test func minorGuardian() {
        // On the 18th birthday the person is still 17.
        expectOne(run("minor_guardian_absent", bundle([:], persons: [["birth_date": S("2008-03-02")]],
                                                      transcripts: [tr("inquiry", "2026-03-02 10:00")]), now: "2026-03-09 00:00"), .missing, due: nil)
        expectNone(run("minor_guardian_absent", bundle([:], persons: [["birth_date": S("2008-03-01")]],
                                                       transcripts: [tr("inquiry", "2026-03-02 10:00")]), now: "2026-03-09 00:00"))
        expectNone(run("minor_guardian_absent", bundle([:], persons: [["birth_date": S("2010-03-01")]],
                                                       transcripts: [tr("inquiry", "2026-03-02 10:00", ["guardian_present": yes])]),
                       now: "2026-03-09 00:00"))
        // From the id number when there is no birth date.
        let idn = IDNumber.make(region: "320404", birth: CivilDate(year: 2010, month: 5, day: 1)!, sequence: 1)
        expectOne(run("minor_guardian_absent", bundle([:], persons: [["id_number": S(idn)]], transcripts: [tr("inquiry", "2026-03-02 10:00")]),
                      now: "2026-03-09 00:00"), .missing, due: nil)
    }
}

@Suite("Rules D: 治安案件")
struct RulesDTests {
    let admin: [String: StoredValue] = ["case_type": S("administrative")]

    @Test func adminSummons() {
        let s = ms("admin_summons", ["started_at": T("2026-03-02 08:00")])
        expectNone(run("admin_summons_overtime", bundle(admin, measures: [s.merging(["ended_at": T("2026-03-02 16:00")]) { $1 }]), now: "2026-03-09 00:00"))
        expectOne(run("admin_summons_overtime", bundle(admin, measures: [s.merging(["ended_at": T("2026-03-02 16:01")]) { $1 }]), now: "2026-03-09 00:00"),
                  .overdue, due: "2026-03-02T16:00:00+08:00")
        expectOne(run("admin_summons_overtime", bundle(admin, measures: [s.merging(["ended_at": T("2026-03-02 20:01"), "extension": S("12h")]) { $1 }]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-02T20:00:00+08:00")
        expectNone(run("admin_summons_overtime", bundle(admin, measures: [s.merging(["ended_at": T("2026-03-03 08:00"), "complex": yes]) { $1 }]),
                       now: "2026-03-09 00:00"))
        expectOne(run("admin_summons_overtime", bundle(admin, measures: [s]), now: "2026-03-02 15:00"), .warning, due: "2026-03-02T16:00:00+08:00")
        expectOne(run("admin_summons_family_notice", bundle(admin, measures: [s.merging(["ended_at": T("2026-03-02 12:00")]) { $1 }]),
                      now: "2026-03-09 00:00"), .missing, due: nil)
        expectNone(run("admin_summons_family_notice", bundle(admin, measures: [s]), now: "2026-03-09 00:00"))
    }

    @Test func questioningHold() {
        let q = ms("questioning_hold", ["started_at": T("2026-03-02 08:00"), "ended_at": T("2026-03-02 12:01")])
        expectOne(run("questioning_hold_vulnerable", bundle(admin, persons: [["birth_date": S("2011-01-01")]], measures: [q]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-02T12:00:00+08:00")
        expectNone(run("questioning_hold_vulnerable", bundle(admin, persons: [["birth_date": S("2010-01-01")]], measures: [q]),
                       now: "2026-03-09 00:00"))
        expectOne(run("questioning_hold_vulnerable", bundle(admin, persons: [["birth_date": S("1956-03-01")]], measures: [q]),
                      now: "2026-03-09 00:00"), .overdue, due: "2026-03-02T12:00:00+08:00")
        let long = ms("questioning_hold", ["started_at": T("2026-03-02 08:00"), "ended_at": T("2026-03-03 08:01"), "extension": S("24h")])
        expectOne(run("questioning_hold_overtime", bundle(admin, measures: [long]), now: "2026-03-09 00:00"), .overdue,
                  due: "2026-03-03T08:00:00+08:00")
        expectNone(run("questioning_hold_overtime", bundle(admin, measures: [q]), now: "2026-03-09 00:00"))
    }

    @Test func adminCaseOverdue() {
        let c = admin.merging(["filed_at": T("2026-03-02 10:00")]) { $1 }
        expectNone(run("admin_case_overdue", bundle(c.merging(["closed_at": T("2026-04-01 23:00")]) { $1 }), now: "2026-05-01 00:00"))
        expectOne(run("admin_case_overdue", bundle(c.merging(["closed_at": T("2026-04-02 00:01")]) { $1 }), now: "2026-05-01 00:00"),
                  .overdue, due: "2026-04-02T00:00:00+08:00")
        expectOne(run("admin_case_overdue", bundle(c), now: "2026-03-28 00:00"), .warning, due: "2026-04-02T00:00:00+08:00")
        // Appraisal time (3 days) is added: 04-04 24:00 falls in 清明 (04-04…04-06) → 04-07 24:00.
        let appr: [[String: StoredValue]] = [["appraisal_id": S("A1"), "commissioned_at": T("2026-03-05 10:00"), "completed_at": T("2026-03-08 10:00")],
                                             ["appraisal_id": S("A2"), "commissioned_at": T("2026-03-06 10:00"), "completed_at": T("2026-03-07 10:00")]]
        expectNone(run("admin_case_overdue", bundle(c.merging(["closed_at": T("2026-04-07 20:00")]) { $1 }, appraisals: appr), now: "2026-05-01 00:00"))
        expectOne(run("admin_case_overdue", bundle(c.merging(["closed_at": T("2026-04-08 00:01")]) { $1 }, appraisals: appr), now: "2026-05-01 00:00"),
                  .overdue, due: "2026-04-08T00:00:00+08:00")
        // Accepted before 2026: counted from 受案.
        let old = admin.merging(["accepted_at": T("2025-12-20 10:00"), "filed_at": T("2026-01-05 10:00"), "closed_at": T("2026-01-20 00:01")]) { $1 }
        expectOne(run("admin_case_overdue", bundle(old), now: "2026-05-01 00:00"), .overdue, due: "2026-01-20T00:00:00+08:00")
        // Extended to a Saturday 10:00 → the same time on Monday.
        let ext = c.merging(["extended_until": T("2026-05-30 10:00")]) { $1 }
        expectNone(run("admin_case_overdue", bundle(ext.merging(["closed_at": T("2026-06-01 09:00")]) { $1 }), now: "2026-07-01 00:00"))
        expectOne(run("admin_case_overdue", bundle(ext.merging(["closed_at": T("2026-06-01 10:01")]) { $1 }), now: "2026-07-01 00:00"),
                  .overdue, due: "2026-06-01T10:00:00+08:00")
        // An extension beyond 90 days is capped: 90 d from 03-02 → 05-31 24:00, a Sunday → 06-01 24:00.
        let long = c.merging(["extended_until": T("2026-07-30 10:00"), "closed_at": T("2026-06-02 00:01")]) { $1 }
        expectOne(run("admin_case_overdue", bundle(long), now: "2026-07-01 00:00"), .overdue, due: "2026-06-02T00:00:00+08:00")
    }

    @Test func adminDetentionExempt() {
        let d = [ms("admin_detention", ["started_at": T("2026-03-02 10:00"), "family_notified_at": T("2026-03-02 11:00")])]
        expectOne(run("admin_detention_exempt", bundle(admin, persons: [["birth_date": S("2012-06-01")]], measures: d), now: "2026-03-09 00:00"),
                  .breach, due: nil)
        expectOne(run("admin_detention_exempt", bundle(admin, persons: [["birth_date": S("2011-01-01")]], measures: d), now: "2026-03-09 00:00"),
                  .advisory, due: nil)
        let d2025 = [ms("admin_detention", ["started_at": T("2025-12-02 10:00")])]
        expectOne(run("admin_detention_exempt", bundle(admin, persons: [["birth_date": S("2011-01-01")]], measures: d2025), now: "2026-03-09 00:00"),
                  .breach, due: nil)
        expectOne(run("admin_detention_exempt", bundle(admin, persons: [["birth_date": S("2009-01-01")]], measures: d), now: "2026-03-09 00:00"),
                  .advisory, due: nil)
        expectNone(run("admin_detention_exempt", bundle(admin, persons: [["birth_date": S("2008-03-01")]], measures: d), now: "2026-03-09 00:00"))
        expectNone(run("admin_detention_family_notice", bundle(admin, measures: d), now: "2026-03-09 00:00"))
        expectOne(run("admin_detention_family_notice", bundle(admin, measures: d2025), now: "2026-03-09 00:00"), .missing, due: nil)
    }
}

@Suite("Rule edges")
struct RuleEdgeTests {
    @Test func negligentDeathIsNotIntentionalInjury() {
        let t = [tr("interrogation", "2026-03-02 10:00", ["av_recorded": no])]
        expectNone(run("interrogation_av_missing", bundle(["cause": S("过失致人死亡"), "max_sentence_years": N(7)], transcripts: t), now: "2026-03-09 00:00"))
        expectOne(run("interrogation_av_missing", bundle(["cause": S("故意伤害（致人死亡）"), "max_sentence_years": N(7)], transcripts: t),
                      now: "2026-03-09 00:00"), .missing, due: nil)
    }

    @Test func complexAdminSummonsAllowsTwentyFourHoursEvenWithTheTwelveHourExtension() {
        let s = ms("admin_summons", ["started_at": T("2026-03-02 08:00"), "ended_at": T("2026-03-03 07:00"), "extension": S("12h"), "complex": yes])
        expectNone(run("admin_summons_overtime", bundle(["case_type": S("administrative")], measures: [s]), now: "2026-03-09 00:00"))
    }
}
