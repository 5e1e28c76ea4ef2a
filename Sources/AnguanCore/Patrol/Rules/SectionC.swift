/// C. 讯问、询问与笔录 (the pair rules of section C come with the analysis models).
enum SectionC {
    /// 2026-01-01 00:00 CST: the revised 治安管理处罚法 in force.
    static let newLaw = Instant(cst: CivilDate(year: 2026, month: 1, day: 1)!)

    /// Whether the transcript started inside one of the person's venue visits.
    static func insideVisit(_ t: Record, _ b: CaseBundle, _ ctx: PatrolContext) -> Record? {
        guard let person = t.text("person_id"), let started = t.time("started_at") else { return nil }
        return b.visits(of: person).first { v in
            guard let entered = v.time("entered_at") else { return false }
            return entered <= started && started < (v.time("left_at") ?? ctx.now)
        }
    }

    static let seriousCauses = ["故意杀人", "抢劫", "强奸", "绑架", "放火", "爆炸", "投放危险物质", "贩卖毒品", "组织、领导黑社会性质组织",
                                "组织领导黑社会性质组织"]

    static let rules: [String: BuiltinRules.CaseEvaluator] = [
        "two_officers": { rule, b, ctx, out in
            let criminal = b.case.text("case_type") == "criminal"
            let kinds: Set<String> = criminal ? ["interrogation", "identification", "inspection"]
                : ["inquiry", "identification", "inspection"]
            let minimum = Int(rule.number("min", default: 2))
            for t in b.transcripts where kinds.contains(t.text("kind") ?? "") {
                let officers = FieldCodec.listItems(t.text("officer_ids") ?? "")
                let investigators = officers.filter(ctx.isInvestigator)
                guard investigators.count < minimum else { continue }
                // 治安法 103, 108: from 2026-01-01 one officer may question or identify inside the
                // case-handling area with audio-video recording; an inspection always needs two.
                if !criminal, investigators.count == 1, ["inquiry", "identification"].contains(t.text("kind") ?? ""),
                   let started = t.time("started_at"), started >= newLaw, t.bool("av_recorded"),
                   insideVisit(t, b, ctx) != nil { continue }
                let aux = officers.filter { !ctx.isInvestigator($0) }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .breach, .transcript, [t.id], facts: ["kind", "officer_ids", "started_at", "av_recorded"].map(t.fact),
                    explanation: "\(Enumerations.transcriptKind.label(of: t.text("kind") ?? "") ?? "")笔录在场侦查人员 \(investigators.count) 人"
                        + (aux.isEmpty ? "" : "（辅警 \(aux.joined(separator: "、")) 不计入）") + "，少于\(minimum)人",
                    officerId: officers.first))
            }
        },
        "interrogation_outside_jail": { rule, b, ctx, out in
            for t in b.transcripts where t.text("kind") == "interrogation" {
                guard let started = t.time("started_at"), let person = t.text("person_id") else { continue }
                let held = b.measures(of: person).kinds(["detention", "arrest"]).first {
                    ($0.time("custody_at").map { $0 < started } ?? false) && ($0.time("ended_at").map { $0 > started } ?? true)
                }
                guard let held, !(t.text("location") ?? "").contains("看守所") else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .breach, .transcript, [t.id], facts: [t.fact("started_at"), t.fact("location"), held.fact("measure_id"),
                                                          held.fact("custody_at")],
                    explanation: "该人员已于 \(held.time("custody_at")!.cstMinuteString) 送看守所羁押，讯问地点不在看守所",
                    officerId: FieldCodec.listItems(t.text("officer_ids") ?? "").first))
            }
        },
        "interrogation_av_missing": { rule, b, ctx, out in
            let c = b.case
            guard c.text("case_type") == "criminal" else { return }
            let cause = c.text("cause") ?? ""
            let injury = c.text("injury_level") ?? ""
            let negligent = cause.contains("过失") || cause.contains("交通肇事")
            let heavy = (c.number("max_sentence_years") ?? 0) >= rule.number("min_years", default: 10) && !negligent
            let serious = seriousCauses.contains { cause.contains($0) }
                // 故意伤害致人重伤、死亡: by the injury level, or as the cause says it.
                || (cause.contains("故意伤害")
                    && (["serious", "death"].contains(injury) || ["重伤", "死亡", "致死"].contains { cause.contains($0) }))
            guard heavy || serious else { return }
            for t in b.transcripts where t.text("kind") == "interrogation" && !t.bool("av_recorded") {
                out.append(FindingFactory(rule: rule, caseRecord: c).make(
                    .missing, .transcript, [t.id], facts: [t.fact("av_recorded"), c.fact("cause"), c.fact("max_sentence_years"),
                                                           c.fact("injury_level")],
                    explanation: heavy ? "可能判处十年以上有期徒刑的案件，讯问未同步录音录像" : "重大犯罪案件（\(cause)），讯问未同步录音录像",
                    officerId: FieldCodec.listItems(t.text("officer_ids") ?? "").first))
            }
        },
        "inquiry_av_missing": { rule, b, ctx, out in
            guard b.case.text("case_type") == "administrative" else { return }
            for t in b.transcripts where t.text("kind") == "inquiry" && !t.bool("av_recorded") {
                guard let started = t.time("started_at"), started >= newLaw,
                      b.person(t.text("person_id"))?.text("role") == "offender", let visit = insideVisit(t, b, ctx) else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .missing, .transcript, [t.id], facts: [t.fact("started_at"), t.fact("av_recorded"), visit.fact("visit_id"),
                                                           visit.fact("entered_at")],
                    explanation: "在执法办案场所内询问违法行为人，未全程录音录像",
                    officerId: FieldCodec.listItems(t.text("officer_ids") ?? "").first))
            }
        },
        "minor_guardian_absent": { rule, b, ctx, out in
            for t in b.transcripts where !t.bool("guardian_present") {
                guard let started = t.time("started_at"), let person = b.person(t.text("person_id")),
                      let age = PatrolContext.age(of: person, at: started), age < 18 else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .missing, .transcript, [t.id],
                    facts: [t.fact("started_at"), t.fact("guardian_present"), person.fact("birth_date"), person.fact("id_number")],
                    explanation: "被讯（询）问人在笔录开始时 \(age) 周岁，未满十八周岁，监护人或其他合适成年人未到场",
                    officerId: FieldCodec.listItems(t.text("officer_ids") ?? "").first))
            }
        },
    ]
}
