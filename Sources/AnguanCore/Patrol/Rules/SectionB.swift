/// B. 刑事强制措施.
enum SectionB {
    /// The first interrogation of the person starting at or after `from`.
    static func firstInterrogation(_ b: CaseBundle, person: String?, from: Instant) -> Record? {
        b.transcripts.filter {
            $0.text("kind") == "interrogation" && $0.text("person_id") == person && ($0.time("started_at").map { $0 >= from } ?? false)
        }.sortedBy("started_at").first
    }

    /// A measure rule `step − started_at` against the limit.
    static func measureDeadline(_ rule: Rule, _ b: CaseBundle, _ ctx: PatrolContext, kinds: Set<String>, stepField: String,
                                stepLabel: String, inCustody: Bool = false, _ out: inout [Finding]) {
        for m in b.measures.kinds(kinds) {
            guard let start = m.time("started_at"), let limit = rule.limit(for: m) else { continue }
            guard let check = DeadlineCheck.evaluate(start: start, step: m.time(stepField), stepLabel: stepLabel, period: limit,
                                                     warn: rule.warn, holidays: rule.holidays, inCustody: inCustody,
                                                     context: ctx) else { continue }
            var facts = [m.fact("kind"), m.fact("started_at"), m.fact(stepField)]
            for f in ["extension", "complex"] where m.isSet(f) { facts.append(m.fact(f)) }
            out.append(FindingFactory(rule: rule, caseRecord: b.case).make(check, .measure, [m.id], facts: facts))
        }
    }

    static let rules: [String: BuiltinRules.CaseEvaluator] = [
        "summons_overtime": { rule, b, ctx, out in
            measureDeadline(rule, b, ctx, kinds: ["summons", "compelled"], stepField: "ended_at", stepLabel: "解除", &out)
        },
        "summons_consecutive": { rule, b, ctx, out in
            let gap = rule.period("gap", default: Period(12, .hours))
            let byPerson = Dictionary(grouping: b.measures.kinds(["summons", "compelled"])) { $0.text("person_id") ?? "" }
            for (_, ms) in byPerson {
                let sorted = ms.sortedBy("started_at")
                for (prev, next) in zip(sorted, sorted.dropFirst()) {
                    guard let ended = prev.time("ended_at"), let started = next.time("started_at") else { continue }
                    guard started.seconds - ended.seconds < gap.windowSeconds else { continue }
                    out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                        .breach, .measure, [next.id],
                        facts: [prev.fact("measure_id"), prev.fact("ended_at"), next.fact("measure_id"), next.fact("started_at")],
                        explanation: "前次传唤/拘传 \(prev.id) 于 \(ended.cstMinuteString) 结束，\(DeadlineCheck.span(started.seconds - ended.seconds))后即再次传唤/拘传（间隔不足\(gap.chinese)，本地默认），涉嫌以连续传唤变相拘禁"))
                }
            }
        },
        "detention_custody_overdue": { rule, b, ctx, out in
            for m in b.measures.kinds(["detention"]) {
                guard let start = m.time("started_at"), let limit = rule.limit(for: m) else { continue }
                // A detention that ended within the limit needs no custody.
                if m.time("custody_at") == nil, let end = m.time("ended_at"),
                   end <= PeriodMath.nominalEnd(start: start, period: limit) { continue }
                guard let check = DeadlineCheck.evaluate(start: start, step: m.time("custody_at"), stepLabel: "送押",
                                                         period: limit, warn: rule.warn, holidays: rule.holidays, context: ctx)
                else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    check, .measure, [m.id], facts: ["started_at", "custody_at", "ended_at"].map(m.fact)))
            }
        },
        "detention_family_notice": { rule, b, ctx, out in
            measureDeadline(rule, b, ctx, kinds: ["detention"], stepField: "family_notified_at", stepLabel: "通知家属", &out)
        },
        "detention_first_interrogation": { rule, b, ctx, out in
            firstInterrogationRule(rule, b, ctx, kind: "detention", &out)
        },
        "arrest_request_overdue": { rule, b, ctx, out in
            for m in b.measures.kinds(["detention"]) {
                guard let start = m.time("started_at"), let limit = rule.limit(for: m) else { continue }
                let person = m.text("person_id")
                let request = b.measures.kinds(["arrest_request"])
                    .filter { $0.text("person_id") == person && ($0.time("started_at").map { $0 >= start } ?? false) }
                    .sortedBy("started_at").first
                let transferred = b.transferredAt.flatMap { $0 >= start ? $0 : nil }
                let step = Instant.earliest([m.time("ended_at"), request?.time("started_at"), transferred])
                guard let check = DeadlineCheck.evaluate(start: start, step: step, stepLabel: "释放、变更、提请批准逮捕或移送审查起诉",
                                                         period: limit, warn: rule.warn, holidays: rule.holidays,
                                                         inCustody: true, context: ctx) else { continue }
                var facts = ["started_at", "ended_at", "extension"].map(m.fact)
                if let request { facts.append(request.fact("started_at").replacingOccurrences(of: "measures.", with: "measures[\(request.id)].")) }
                facts.append(b.case.fact("transferred_at"))
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(check, .measure, [m.id], facts: facts))
            }
        },
        "release_after_rejection": { rule, b, ctx, out in
            guard let limit = rule.limit else { return }
            for r in b.measures.kinds(["arrest_request"]) where r.text("outcome") == "rejected" {
                guard let decided = r.time("ended_at"), let requested = r.time("started_at") else { continue }
                let person = r.text("person_id")
                guard let detention = b.measures.kinds(["detention"])
                    .filter({ $0.text("person_id") == person && ($0.time("started_at").map { $0 <= requested } ?? false) })
                    .sortedBy("started_at").last else { continue }
                guard let check = DeadlineCheck.evaluate(start: decided, step: detention.time("ended_at"), stepLabel: "解除拘留",
                                                         period: limit, warn: rule.warn, holidays: nil, inCustody: true,
                                                         context: ctx) else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    check, .measure, [detention.id],
                    facts: [r.fact("measure_id"), r.fact("outcome"), r.fact("ended_at"), detention.fact("measure_id"),
                            detention.fact("ended_at")]))
            }
        },
        "arrest_family_notice": { rule, b, ctx, out in
            measureDeadline(rule, b, ctx, kinds: ["arrest"], stepField: "family_notified_at", stepLabel: "通知家属", &out)
        },
        "arrest_first_interrogation": { rule, b, ctx, out in
            firstInterrogationRule(rule, b, ctx, kind: "arrest", &out)
        },
        "arrest_execution_delay": { rule, b, ctx, out in
            guard let limit = rule.limit else { return }
            for r in b.measures.kinds(["arrest_request"]) where r.text("outcome") == "approved" {
                guard let decided = r.time("ended_at"), let requested = r.time("started_at") else { continue }
                let person = r.text("person_id")
                let arrest = b.measures.kinds(["arrest"])
                    .filter { $0.text("person_id") == person && ($0.time("started_at").map { $0 >= requested } ?? false) }
                    .sortedBy("started_at").first
                guard let check = DeadlineCheck.evaluate(start: decided, step: arrest?.time("started_at"), stepLabel: "执行逮捕",
                                                         period: limit, warn: rule.warn, holidays: nil, inCustody: true,
                                                         context: ctx) else { continue }
                var facts = ["started_at", "ended_at", "outcome"].map(r.fact)
                if let arrest { facts.append(arrest.fact("measure_id")); facts.append(arrest.fact("started_at")) }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(check, .measure, [r.id], facts: facts))
            }
        },
        "custody_term_expiring": { rule, b, ctx, out in
            guard !b.isTransferred else { return }
            for m in b.measures.kinds(["arrest"]) where m.time("ended_at") == nil {
                guard let start = m.time("started_at"), let limit = rule.limit(for: m) else { continue }
                guard let check = DeadlineCheck.evaluate(start: start, step: nil, stepLabel: "解除、变更或移送审查起诉",
                                                         period: limit, warn: rule.warn, holidays: rule.holidays,
                                                         inCustody: true, context: ctx) else { continue }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    check, .measure, [m.id], facts: ["started_at", "ended_at", "extension"].map(m.fact) + [b.case.fact("status")]))
            }
        },
        "bail_overdue": { rule, b, ctx, out in
            measureDeadline(rule, b, ctx, kinds: ["bail"], stepField: "ended_at", stepLabel: "解除取保候审", &out)
        },
        "bail_stalled": { rule, b, ctx, out in
            guard !b.isTransferred else { return }
            let open = rule.period("open", default: Period(6, .months))
            let idle = rule.period("idle", default: Period(60, .days))
            for m in b.measures.kinds(["bail"]) where m.time("ended_at") == nil {
                guard let start = m.time("started_at") else { continue }
                let openEnd = PeriodMath.nominalEnd(start: start, period: open)
                guard ctx.now > openEnd else { continue }
                let last = b.activityTimes.filter { $0 <= ctx.now }.max()
                let idleSince = ctx.now.seconds - idle.windowSeconds
                if let last, last.seconds > idleSince { continue }
                let due = max(openEnd, last.map { Instant(seconds: $0.seconds + idle.windowSeconds) } ?? openEnd)
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .overdue, .measure, [m.id], due: due,
                    facts: [m.fact("started_at"), m.fact("ended_at"), b.case.fact("status"),
                            "最近侦查活动 = \(last?.cstMinuteString ?? "无")"],
                    explanation: "取保候审自 \(start.cstMinuteString) 起已超过\(open.chinese)未解除，案件未移送审查起诉，且近\(idle.chinese)无笔录、强制措施、鉴定或政法协同记录（本地默认）；最近侦查活动 \(last?.cstMinuteString ?? "无")"))
            }
        },
        "surveillance_overdue": { rule, b, ctx, out in
            measureDeadline(rule, b, ctx, kinds: ["surveillance", "designated_surveillance"], stepField: "ended_at",
                            stepLabel: "解除监视居住", &out)
        },
        "designated_surveillance_notice": { rule, b, ctx, out in
            measureDeadline(rule, b, ctx, kinds: ["designated_surveillance"], stepField: "family_notified_at",
                            stepLabel: "通知家属", &out)
        },
        "supplementary_investigation_overdue": { rule, b, ctx, out in
            guard let limit = rule.limit else { return }
            for p in b.coordination where p.text("kind") == "supplementary_investigation" && p.text("from_org") == "procuratorate" {
                guard let start = p.time("received_at") ?? p.time("pushed_at"), let pushed = p.time("pushed_at") else { continue }
                let next = b.coordination.filter {
                    $0.text("kind") == "prosecution_transfer" && $0.text("from_org") == "police"
                        && ($0.time("pushed_at").map { $0 > pushed } ?? false)
                }.sortedBy("pushed_at").first
                // In custody at 24:00 of the nominal last day: the period does not move.
                let nominal = PeriodMath.nominalEnd(start: start, period: limit)
                let inCustody = b.measures.kinds(["detention", "arrest"]).contains {
                    ($0.time("started_at").map { $0 <= nominal } ?? false) && ($0.time("ended_at").map { $0 > nominal } ?? true)
                }
                guard let check = DeadlineCheck.evaluate(start: start, step: next?.time("pushed_at"), stepLabel: "重新移送审查起诉",
                                                         period: limit, warn: rule.warn, holidays: rule.holidays,
                                                         inCustody: inCustody, context: ctx) else { continue }
                var facts = ["pushed_at", "received_at", "from_org"].map(p.fact)
                if let next { facts.append(next.fact("push_id")); facts.append(next.fact("pushed_at")) }
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(check, .coordination, [p.id], facts: facts))
            }
        },
        "supplementary_investigation_limit": { rule, b, ctx, out in
            let max = Int(rule.number("max", default: 2))
            let pushes = b.coordination.filter { $0.text("kind") == "supplementary_investigation" }.sortedBy("pushed_at")
            for (i, p) in pushes.enumerated() where i >= max {
                out.append(FindingFactory(rule: rule, caseRecord: b.case).make(
                    .breach, .coordination, [p.id], facts: [p.fact("pushed_at"), p.fact("from_org")],
                    explanation: "本案第\(i + 1)次退回补充侦查（\(pushes.prefix(i + 1).map(\.id).joined(separator: "、"))），补充侦查以二次为限"))
            }
        },
    ]

    static func firstInterrogationRule(_ rule: Rule, _ b: CaseBundle, _ ctx: PatrolContext, kind: String,
                                       _ out: inout [Finding]) {
        for m in b.measures.kinds([kind]) {
            guard let start = m.time("started_at"), let limit = rule.limit(for: m) else { continue }
            let first = firstInterrogation(b, person: m.text("person_id"), from: start)
            guard let check = DeadlineCheck.evaluate(start: start, step: first?.time("started_at"), stepLabel: "首次讯问",
                                                     period: limit, warn: rule.warn, holidays: rule.holidays, context: ctx)
            else { continue }
            var facts = [m.fact("person_id"), m.fact("started_at")]
            facts.append(first.map { "transcripts[\($0.id)].started_at = \($0.time("started_at")!.cstString)" } ?? "首次讯问笔录 = 无")
            out.append(FindingFactory(rule: rule, caseRecord: b.case).make(check, .measure, [m.id], facts: facts))
        }
    }
}
