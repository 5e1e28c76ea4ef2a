/// E. 伤情鉴定, F. 涉案财物, G. 执法办案场所.
enum SectionEFG {
    static let rules: [String: BuiltinRules.CaseEvaluator] = [
        // E
        "injury_commission_overdue": { rule, b, ctx, out in
            let c = b.case
            let cause = c.text("cause") ?? ""
            let level = c.text("injury_level")
            guard cause.contains("伤害") || cause.contains("殴打") || (level != nil && level != "none") else { return }
            guard let start = c.time("accepted_at"), let limit = rule.limit else { return }
            let first = b.appraisals.filter { $0.text("kind") == "injury" }.sortedBy("commissioned_at").first
            guard let check = DeadlineCheck.evaluate(start: start, step: first?.time("commissioned_at"), stepLabel: "委托伤情鉴定",
                                                     period: limit, warn: rule.warn, holidays: rule.holidays, context: ctx)
            else { return }
            var facts = [c.fact("cause"), c.fact("injury_level"), c.fact("accepted_at")]
            facts.append(first.map { "appraisals[\($0.id)].commissioned_at = \($0.time("commissioned_at")!.cstString)" } ?? "伤情鉴定 = 无")
            out.append(FindingFactory(rule: rule, caseRecord: c).make(check, .case, [c.id], facts: facts))
        },
        "injury_report_overdue": { rule, b, ctx, out in
            guard let limit = rule.limit else { return }
            for a in b.appraisals where a.text("kind") == "injury" {
                guard let start = a.time("commissioned_at") else { continue }
                guard let check = DeadlineCheck.evaluate(start: start, step: a.time("completed_at"), stepLabel: "出具鉴定意见",
                                                         period: limit, warn: rule.warn, holidays: rule.holidays, context: ctx)
                else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    check, .appraisal, [a.id], facts: ["commissioned_at", "completed_at"].map(a.fact)))
            }
        },
        "injury_case_type_mismatch": { rule, b, ctx, out in
            let c = b.case
            guard c.text("case_type") == "administrative" else { return }
            let level = c.text("injury_level") ?? ""
            let result = b.appraisals.filter { $0.text("kind") == "injury" }
                .first { ($0.text("result") ?? "").contains("轻伤") || ($0.text("result") ?? "").contains("重伤") }
            guard ["light", "serious", "death"].contains(level) || result != nil else { return }
            var facts = [c.fact("case_type"), c.fact("injury_level")]
            if let result { facts.append(result.fact("appraisal_id")); facts.append(result.fact("result")) }
            out.append(FindingFactory(rule: rule, caseRecord: c).make(
                .breach, .case, [c.id], facts: facts,
                explanation: "行政案件伤情达到轻伤以上（\(result?.text("result") ?? Enumerations.injuryLevel.label(of: level) ?? level)），涉嫌刑事犯罪，应依法立为刑事案件"))
        },
        // F
        "property_handover_overdue": { rule, b, ctx, out in
            guard let limit = rule.limit else { return }
            for p in b.property {
                guard let start = p.time("seized_at") else { continue }
                if !p.isSet("handed_over_at") && p.text("status") != "held" { continue }
                guard let check = DeadlineCheck.evaluate(start: start, step: p.time("handed_over_at"), stepLabel: "移交涉案财物管理人员",
                                                         period: limit, warn: rule.warn, holidays: rule.holidays, context: ctx)
                else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    check, .property, [p.id], facts: ["name", "seized_at", "handed_over_at", "status"].map(p.fact)))
            }
        },
        "property_self_custody": { rule, b, ctx, out in
            let after = rule.period("after", default: Period(72, .hours))
            for p in b.property where p.text("status") == "held" {
                guard let seized = p.time("seized_at"), ctx.now.seconds > seized.seconds + after.windowSeconds else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .breach, .property, [p.id], facts: ["name", "seized_at", "status", "handed_over_at"].map(p.fact),
                    explanation: "涉案财物自 \(seized.cstMinuteString) 扣押后由办案人员持有已超过\(after.chinese)（本地默认），未移交涉案财物管理中心"))
            }
        },
        "property_not_with_case": { rule, b, ctx, out in
            guard b.isTransferred else { return }
            for p in b.property where ["held", "in_store"].contains(p.text("status") ?? "")
                && !["cash", "vehicle"].contains(p.text("category") ?? "") {
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .missing, .property, [p.id], facts: [p.fact("name"), p.fact("category"), p.fact("status"),
                                                         b.case.fact("status"), b.case.fact("transferred_at")],
                    explanation: "案件已移送审查起诉，涉案财物仍为\(Enumerations.propertyStatus.label(of: p.text("status") ?? "") ?? "")，未随案移送"))
            }
        },
        "property_disposal_pending": { rule, b, ctx, out in
            let c = b.case
            let status = c.text("status") ?? ""
            guard ["judged", "closed", "withdrawn"].contains(status), let limit = rule.limit else { return }
            guard let closed = status == "judged" ? (c.time("judged_at") ?? c.time("closed_at")) : c.time("closed_at") else { return }
            for p in b.property where ["held", "in_store"].contains(p.text("status") ?? "") {
                guard let check = DeadlineCheck.evaluate(start: closed, step: nil, stepLabel: "处置", period: limit,
                                                         warn: rule.warn, holidays: rule.holidays, context: ctx) else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: c).make(
                    check, .property, [p.id], facts: [p.fact("name"), p.fact("status"), c.fact("status"),
                                                      c.fact(status == "judged" ? "judged_at" : "closed_at")]))
            }
        },
        // G
        "venue_security_check": { rule, b, ctx, out in
            visitDeadline(rule, b, ctx, stepField: "security_check_at", stepLabel: "人身安全检查", &out)
        },
        "venue_health_check": { rule, b, ctx, out in
            visitDeadline(rule, b, ctx, stepField: "health_check_at", stepLabel: "健康检查", &out)
        },
        "venue_stay_overtime": { rule, b, ctx, out in
            for v in b.visits {
                guard let entered = v.time("entered_at"), let person = v.text("person_id") else { continue }
                // The measure that brought the person in: started at or before entry, not ended
                // before it, the latest-started if several.
                let bringing = b.measures(of: person).filter {
                    ($0.time("started_at").map { $0 <= entered } ?? false) && ($0.time("ended_at").map { $0 >= entered } ?? true)
                }.sortedBy("started_at").last
                var limit: Period?
                var source = "无带入措施，按默认时限"
                if let m = bringing {
                    let kind = m.text("kind") ?? ""
                    let complex = m.bool("complex")
                    let ext = m.text("extension")
                    switch kind {
                    case "summons", "compelled": limit = Period(complex ? 24 : 12, .hours)
                    case "admin_summons": limit = Period(complex ? 24 : (ext == "12h" ? 12 : 8), .hours)
                    case "questioning_hold": limit = Period(ext == "48h" ? 48 : (ext == "24h" ? 24 : 12), .hours)
                    default: limit = nil
                    }
                    source = "按带入措施 \(m.id)（\(Enumerations.measureKind.label(of: kind) ?? kind)）的时限"
                    guard limit != nil else { continue }  // e.g. a detention sets no limit here
                } else {
                    limit = rule.limit
                }
                guard let limit, let check = DeadlineCheck.evaluate(start: entered, step: v.time("left_at"), stepLabel: "出区",
                                                                    period: limit, warn: rule.warn, holidays: nil, context: ctx)
                else { continue }
                var facts = ["entered_at", "left_at"].map(v.fact)
                if let m = bringing { facts += [m.fact("measure_id"), m.fact("kind"), m.fact("started_at")] }
                var f = FindingFactory(rule: rule, caseRecord: b.case).make(check, .visit, [v.id], facts: facts)
                f.explanation = source + "；" + f.explanation
                out.append(f)
            }
        },
        "capture_not_in_center": { rule, b, ctx, out in
            let within = rule.period("within", default: Period(24, .hours))
            for p in b.persons where ["suspect", "offender"].contains(p.text("role") ?? "") {
                guard let captured = p.time("captured_at") else { continue }
                let limitEnd = Instant(seconds: captured.seconds + within.windowSeconds)
                guard ctx.now >= limitEnd else { continue }
                guard !b.measures(of: p.id).kinds(["detention", "summons", "admin_summons", "compelled"]).isEmpty else { continue }
                let entered = b.visits(of: p.id).contains {
                    guard let e = $0.time("entered_at") else { return false }
                    return e >= captured && e <= limitEnd
                }
                guard !entered else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .missing, .person, [p.id], facts: [p.fact("role"), p.fact("captured_at"), "\(within.chinese)内入区记录 = 无"],
                    explanation: "该人员于 \(captured.cstMinuteString) 被抓获并采取强制措施，\(within.chinese)内无执法办案中心入区记录"))
            }
        },
    ]

    static func visitDeadline(_ rule: Rule, _ b: CaseBundle, _ ctx: PatrolContext, stepField: String, stepLabel: String,
                              _ out: inout [Finding]) {
        guard let limit = rule.limit else { return }
        for v in b.visits {
            guard let entered = v.time("entered_at") else { continue }
            guard let check = DeadlineCheck.evaluate(start: entered, step: v.time(stepField), stepLabel: stepLabel, period: limit,
                                                     warn: rule.warn, holidays: nil, context: ctx) else { continue }
            out.append(FindingFactory(rule: rule, caseRecord: b.case).make(check, .visit, [v.id],
                                                                           facts: ["entered_at", stepField].map(v.fact)))
        }
    }
}
