/// The built-in conditions of rules.md, registered by rule id. Their limits, windows, holiday
/// policies, severities and local defaults come from the catalog; the conditions themselves are
/// the law's, in code, each citing its article in the catalog's basis text.
public enum BuiltinRules {
    public typealias CaseEvaluator = @Sendable (Rule, CaseBundle, PatrolContext, inout [Finding]) -> Void
    public typealias IncidentEvaluator = @Sendable (Rule, Record, Record?, PatrolContext, inout [Finding]) -> Void

    public enum Evaluator: Sendable {
        case perCase(CaseEvaluator)
        /// Incident rules see the incident and its linked case, if any.
        case perIncident(IncidentEvaluator)
    }

    public static let evaluators: [String: Evaluator] = {
        var e: [String: Evaluator] = [:]
        for (id, f) in SectionA.incidentRules { e[id] = .perIncident(f) }
        for (id, f) in SectionA.caseRules { e[id] = .perCase(f) }
        for (id, f) in SectionB.rules { e[id] = .perCase(f) }
        for (id, f) in SectionC.rules { e[id] = .perCase(f) }
        for (id, f) in SectionD.rules { e[id] = .perCase(f) }
        for (id, f) in SectionEFG.rules { e[id] = .perCase(f) }
        return e
    }()

    /// Rules whose built-in condition reads `limit` and cannot run without it.
    public static let needsLimit: [String: Bool] = {
        var d: [String: Bool] = [:]
        for id in ["incident_off_system", "admin_filing_overdue", "criminal_filing_overdue", "summons_overtime",
                   "detention_custody_overdue", "detention_family_notice", "detention_first_interrogation",
                   "arrest_request_overdue", "release_after_rejection", "arrest_family_notice", "arrest_first_interrogation",
                   "arrest_execution_delay", "custody_term_expiring", "bail_overdue", "surveillance_overdue",
                   "designated_surveillance_notice", "supplementary_investigation_overdue", "admin_summons_overtime",
                   "questioning_hold_vulnerable", "questioning_hold_overtime", "admin_case_overdue",
                   "injury_commission_overdue", "injury_report_overdue", "property_handover_overdue",
                   "property_disposal_pending", "venue_security_check", "venue_health_check", "venue_stay_overtime"] {
            d[id] = true
        }
        return d
    }()
}

/// Builds findings with the responsible unit and officer of the case.
struct FindingFactory {
    let rule: Rule
    let caseRecord: Record?

    func make(_ kind: FindingKind, _ subject: SubjectKind, _ ids: [String], due: Instant? = nil, facts: [String],
              explanation: String, unitId: String? = nil, officerId: String? = nil) -> Finding {
        Finding(ruleId: rule.id, ruleName: rule.name, kind: kind, severity: kind == .advisory ? .advisory : rule.severity,
                subjectKind: subject, subjectIds: ids, caseId: caseRecord?.id,
                unitId: unitId ?? caseRecord?.text("unit_id"), officerId: officerId ?? caseRecord?.text("lead_officer_id"),
                dueAt: due, facts: facts, explanation: explanation, basis: rule.basis)
    }

    /// A finding from a deadline check.
    func make(_ check: DeadlineCheck, _ subject: SubjectKind, _ ids: [String], facts: [String],
              officerId: String? = nil) -> Finding {
        make(check.kind, subject, ids, due: check.due, facts: facts, explanation: check.explanation, officerId: officerId)
    }
}

extension Array where Element == Record {
    /// Records of the given `kind` codes.
    func kinds(_ codes: Set<String>) -> [Record] { filter { codes.contains($0.text("kind") ?? "") } }

    func sortedBy(_ field: String) -> [Record] {
        sorted { ($0.time(field)?.seconds ?? .max, $0.id) < ($1.time(field)?.seconds ?? .max, $1.id) }
    }
}

extension Instant {
    static func earliest(_ xs: [Instant?]) -> Instant? { xs.compactMap { $0 }.min() }
}
