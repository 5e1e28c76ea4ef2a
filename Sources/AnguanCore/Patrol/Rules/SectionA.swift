/// A. 警情与受立案.
enum SectionA {
    static let incidentRules: [String: BuiltinRules.IncidentEvaluator] = [
        "incident_off_system": { rule, incident, linkedCase, ctx, out in
            let category = incident.text("category") ?? ""
            let disposition = incident.text("disposition")
            guard ["criminal", "public_order"].contains(category) || disposition == "case_opened" else { return }
            guard linkedCase == nil else { return }
            guard disposition == nil || disposition == "case_opened" || disposition == "pending" else { return }
            guard let start = incident.time("received_at"), let limit = rule.limit else { return }
            guard let check = DeadlineCheck.evaluate(start: start, step: nil, stepLabel: "受案或其他处置", period: limit,
                                                     warn: rule.warn, holidays: rule.holidays, context: ctx) else { return }
            out.append(FindingFactory(rule: rule, caseRecord: nil).make(
                check.kind, .incident, [incident.id], due: check.due,
                facts: ["category", "disposition", "case_id", "received_at"].map(incident.fact) + ["关联案件 = 无"],
                explanation: check.explanation, unitId: incident.text("unit_id"), officerId: incident.text("officer_id")))
        },
        "mediation_of_crime": { rule, incident, linkedCase, ctx, out in
            guard incident.text("disposition") == "mediated", let c = linkedCase else { return }
            let injury = c.text("injury_level") ?? ""
            let criminal = c.text("case_type") == "criminal"
            guard criminal || ["light", "serious", "death"].contains(injury) else { return }
            let why = criminal ? "关联案件为刑事案件" : "关联案件伤情为\(Enumerations.injuryLevel.label(of: injury) ?? injury)"
            out.append(FindingFactory(rule: rule, caseRecord: c).make(
                .breach, .incident, [incident.id], facts: [incident.fact("disposition"), c.fact("case_id"), c.fact("case_type"),
                                                           c.fact("injury_level")],
                explanation: "警情以调解方式处理，但\(why)，不得以调代刑", unitId: incident.text("unit_id"),
                officerId: incident.text("officer_id")))
        },
    ]

    static let caseRules: [String: BuiltinRules.CaseEvaluator] = [
        "admin_filing_overdue": { rule, b, ctx, out in
            let c = b.case
            guard c.text("case_type") == "administrative", let inc = b.originatingIncident,
                  let start = inc.time("received_at"), let limit = rule.limit(for: c) else { return }
            guard let check = DeadlineCheck.evaluate(start: start, step: c.time("accepted_at"), stepLabel: "受案",
                                                     period: limit, warn: rule.warn, holidays: rule.holidays, context: ctx)
            else { return }
            out.append(FindingFactory(rule: rule, caseRecord: c).make(
                check, .case, [c.id], facts: [inc.fact("incident_id"), inc.fact("received_at"), c.fact("accepted_at"),
                                              c.fact("review_extension")]))
        },
        "criminal_filing_overdue": { rule, b, ctx, out in
            let c = b.case
            guard c.text("case_type") == "criminal", let start = c.time("accepted_at"), let limit = rule.limit(for: c)
            else { return }
            let step = c.text("filing_decision") == "pending" ? nil : c.time("filed_at")
            guard let check = DeadlineCheck.evaluate(start: start, step: step, stepLabel: "立案或不予立案决定", period: limit,
                                                     warn: rule.warn, holidays: rule.holidays, context: ctx) else { return }
            out.append(FindingFactory(rule: rule, caseRecord: c).make(
                check, .case, [c.id], facts: ["accepted_at", "filing_decision", "filed_at", "review_extension"].map(c.fact)))
        },
        "fast_track_candidate": { rule, b, ctx, out in
            let c = b.case
            guard c.text("case_type") == "criminal", c.text("status") == "handling", let years = c.number("max_sentence_years"),
                  years <= rule.number("max_years", default: 3), c.bool("plea"), !c.bool("fast_track") else { return }
            out.append(FindingFactory(rule: rule, caseRecord: c).make(
                .advisory, .case, [c.id], facts: ["status", "max_sentence_years", "plea", "fast_track"].map(c.fact),
                explanation: "可能判处\(FieldCodec.formatNumber(years))年以下有期徒刑且认罪认罚，尚未适用速裁程序，可考虑移送速裁"))
        },
    ]
}
