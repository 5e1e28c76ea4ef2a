/// D. 治安案件.
enum SectionD {
    static let rules: [String: BuiltinRules.CaseEvaluator] = [
        "admin_summons_overtime": { rule, b, ctx, out in
            SectionB.measureDeadline(rule, b, ctx, kinds: ["admin_summons"], stepField: "ended_at", stepLabel: "询问查证结束", &out)
        },
        "admin_summons_family_notice": { rule, b, ctx, out in
            for m in b.measures.kinds(["admin_summons"]) where m.isSet("ended_at") && !m.isSet("family_notified_at") {
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .missing, .measure, [m.id], facts: ["started_at", "ended_at", "family_notified_at"].map(m.fact),
                    explanation: "治安传唤已结束，无通知家属记录"))
            }
        },
        "questioning_hold_vulnerable": { rule, b, ctx, out in
            for m in b.measures.kinds(["questioning_hold"]) {
                guard let start = m.time("started_at"), let limit = rule.limit(for: m),
                      let age = PatrolContext.age(of: b.person(m.text("person_id")), at: start), age < 16 || age >= 70
                else { continue }
                guard let check = DeadlineCheck.evaluate(start: start, step: m.time("ended_at"), stepLabel: "解除继续盘问",
                                                         period: limit, warn: rule.warn, holidays: nil, context: ctx)
                else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    check, .measure, [m.id], facts: ["started_at", "ended_at"].map(m.fact) + ["年龄 = \(age)周岁"]))
            }
        },
        "questioning_hold_overtime": { rule, b, ctx, out in
            SectionB.measureDeadline(rule, b, ctx, kinds: ["questioning_hold"], stepField: "ended_at", stepLabel: "解除继续盘问", &out)
        },
        "admin_case_overdue": adminCaseOverdue,
        "admin_detention_exempt": { rule, b, ctx, out in
            for m in b.measures.kinds(["admin_detention"]) {
                guard let start = m.time("started_at"), let person = b.person(m.text("person_id")),
                      let age = PatrolContext.age(of: person, at: start) else { continue }
                let kind: FindingKind
                let why: String
                if age < 14 {
                    (kind, why) = (.breach, "不满十四周岁的人违反治安管理的，不予处罚（治安法第12条）")
                } else if age < 16 || age >= 70 {
                    if start < SectionC.newLaw {
                        (kind, why) = (.breach, "已满十四周岁不满十六周岁或七十周岁以上的人，依法不执行行政拘留（原治安法第21条）")
                    } else {
                        (kind, why) = (.advisory, "对已满十四周岁不满十六周岁或七十周岁以上的人执行行政拘留，须确认属情节严重、影响恶劣或一年内二次以上违反治安管理（治安法第23条第2款）")
                    }
                } else if age < 18 {
                    (kind, why) = (.advisory, "对已满十六周岁不满十八周岁的人执行行政拘留，须确认不属初次违反治安管理（治安法第23条）")
                } else {
                    continue
                }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    kind, .measure, [m.id], facts: [m.fact("started_at"), person.fact("birth_date"), person.fact("id_number")],
                    explanation: "执行行政拘留时该人员 \(age) 周岁：\(why)"))
            }
        },
        "admin_detention_family_notice": { rule, b, ctx, out in
            for m in b.measures.kinds(["admin_detention"]) where !m.isSet("family_notified_at") {
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .missing, .measure, [m.id], facts: ["started_at", "family_notified_at"].map(m.fact),
                    explanation: "执行行政拘留，无通知家属记录"))
            }
        },
    ]

    /// 治安法 118: 30 days from 立案 (before 2026: from 受案), to `extended_until` where extended
    /// (capped at 90 days from the start, 60 before 2026), plus the time appraisals were open,
    /// then moved to the same time of day on the next working day if it falls on a rest day.
    static let adminCaseOverdue: BuiltinRules.CaseEvaluator = { rule, b, ctx, out in
        let c = b.case
        guard c.text("case_type") == "administrative", let accepted = c.time("accepted_at"), let limit = rule.limit
        else { return }
        let oldLaw = accepted < SectionC.newLaw
        let start = oldLaw ? accepted : (c.time("filed_at") ?? accepted)
        var explanation = "起算 \(start.cstMinuteString)（\(oldLaw ? "2026年前受理，自受案" : (c.isSet("filed_at") ? "自立案" : "无立案时间，自受案"))）"
        var base = PeriodMath.nominalEnd(start: start, period: limit)
        explanation += "，期间 \(limit.chinese)，届满 \(Deadline.endOfDay(base))"
        if let ext = c.time("extended_until") {
            let capPeriod = oldLaw ? rule.period("cap_before_2026", default: Period(60, .days))
                : rule.period("cap", default: Period(90, .days))
            let cap = PeriodMath.nominalEnd(start: start, period: capPeriod)
            base = min(ext, cap)
            explanation += "；批准延长至 \(ext.cstMinuteString)" + (ext > cap ? "，超过\(capPeriod.chinese)上限，按 \(Deadline.endOfDay(cap)) 计" : "")
        }
        // Appraisal time after the start, overlapping appraisals counted once.
        var intervals: [(Int64, Int64)] = []
        for a in b.appraisals {
            guard let from = a.time("commissioned_at") else { continue }
            let to = a.time("completed_at") ?? ctx.now
            let lo = max(from.seconds, start.seconds)
            if to.seconds > lo { intervals.append((lo, to.seconds)) }
        }
        intervals.sort { $0.0 < $1.0 }
        var excluded: Int64 = 0
        var cur: (Int64, Int64)?
        for iv in intervals {
            if let c0 = cur, iv.0 <= c0.1 {
                cur = (c0.0, max(c0.1, iv.1))
            } else {
                if let c0 = cur { excluded += c0.1 - c0.0 }
                cur = iv
            }
        }
        if let c0 = cur { excluded += c0.1 - c0.0 }
        var due = Instant(seconds: base.seconds + excluded)
        if excluded > 0 { explanation += "；扣除鉴定期间 \(DeadlineCheck.span(excluded))，至 \(due.cstMinuteString)" }
        let step = c.time("closed_at")
        // The day the deadline falls on (a 24:00 end belongs to the day before).
        let day = due.cstSecondOfDay == 0 ? due.cstDate.adding(days: -1) : due.cstDate
        let dayStart = Instant(cst: day)
        let calendarMatters = step.map { $0 >= dayStart } ?? (ctx.now.seconds >= due.seconds - (rule.warn?.windowSeconds ?? 0) - 86_400)
        if calendarMatters {
            switch ctx.calendar.firstWorkday(onOrAfter: day) {
            case .success(let work) where work != day:
                let moved = Instant(seconds: due.seconds + Int64(work.daysSinceEpoch - day.daysSinceEpoch) * 86_400)
                explanation += "；该日为\(ctx.calendar.restReason(day))，顺延至 \(moved.cstSecondOfDay == 0 ? Deadline.endOfDay(moved) : moved.cstMinuteString)"
                due = moved
            case .success: break
            case .failure(let u):
                explanation += "；节假日日历未覆盖 \(u.year) 年，按不顺延计算，请人工核对"
            }
        }
        var kind: FindingKind?
        if let step {
            if step > due {
                kind = .overdue
                explanation += "；结案时间 \(step.cstMinuteString)，超出 \(DeadlineCheck.span(step.seconds - due.seconds))"
            }
        } else if ctx.now > due {
            kind = .overdue
            explanation += "；截至巡查时间 \(ctx.now.cstMinuteString) 尚未结案，已超出 \(DeadlineCheck.span(ctx.now.seconds - due.seconds))"
        } else if let w = rule.warn, ctx.now.seconds >= due.seconds - w.windowSeconds {
            kind = .warning
            explanation += "；尚未结案，距期限届满还有 \(DeadlineCheck.span(due.seconds - ctx.now.seconds))"
        }
        guard let kind else { return }
        out.append(FindingFactory(rule: rule, caseRecord: c).make(
            kind, .case, [c.id], due: due,
            facts: ["accepted_at", "filed_at", "extended_until", "closed_at"].map(c.fact)
                + b.appraisals.flatMap { [$0.fact("appraisal_id"), $0.fact("commissioned_at"), $0.fact("completed_at")] },
            explanation: explanation))
    }
}
