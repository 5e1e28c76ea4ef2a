/// Evaluates the enabled rules of a catalog over case bundles and incidents. Pure: the store
/// feeds it records, it returns findings.
public struct PatrolEngine: Sendable {
    public let rules: [Rule]
    /// Each rule's built-in evaluator (nil for the generic shapes), looked up once here rather than by
    /// id for every case.
    private let evaluators: [BuiltinRules.Evaluator?]

    /// - Parameter only: rule ids to run (all enabled rules when empty).
    public init(catalog: Catalog, only: Set<String> = []) {
        rules = catalog.rules.filter { $0.enabled && (only.isEmpty || only.contains($0.id)) }
        evaluators = rules.map { $0.shape == .builtin ? BuiltinRules.evaluators[$0.id] : nil }
    }

    /// Whether any rule looks at incidents (the store then runs the incident pass).
    public var needsIncidents: Bool { rules.contains { $0.subject == .incident } }

    /// Findings about one case and everything attached to it.
    public func evaluate(_ full: CaseBundle, context: PatrolContext) -> [Finding] {
        var out: [Finding] = []
        // Only what had happened by "now" counts, so a patrol over history is reproducible.
        guard let bundle = full.asOf(context.now) else { return out }
        for (i, rule) in rules.enumerated() {
            switch rule.shape {
            case .builtin:
                if case .perCase(let f) = evaluators[i] { f(rule, bundle, context, &out) }
            case .deadline, .required, .forbidden:
                guard rule.subject != .incident else { continue }
                for r in Self.records(of: rule.subject, in: bundle) {
                    if let f = GenericRule.evaluate(rule, r, caseRecord: bundle.case, context: context) { out.append(f) }
                }
            }
        }
        return out
    }

    /// Findings about one incident, with its linked case if any.
    public func evaluate(incident full: Record, linkedCase fullCase: Record?, context: PatrolContext) -> [Finding] {
        var out: [Finding] = []
        guard let incident = full.asOf(context.now) else { return out }
        let linkedCase = fullCase?.asOf(context.now)
        for (i, rule) in rules.enumerated() where rule.subject == .incident {
            switch rule.shape {
            case .builtin:
                if case .perIncident(let f) = evaluators[i] { f(rule, incident, linkedCase, context, &out) }
            default:
                if let f = GenericRule.evaluate(rule, incident, caseRecord: linkedCase, context: context) { out.append(f) }
            }
        }
        return out
    }

    static func records(of subject: SubjectKind, in b: CaseBundle) -> [Record] {
        switch subject {
        case .case: [b.case]
        case .incident: b.incidents
        case .person: b.persons
        case .measure: b.measures
        case .property: b.property
        case .transcript: b.transcripts
        case .visit: b.visits
        case .appraisal: b.appraisals
        case .coordination: b.coordination
        }
    }
}

/// The shapes a branch can add without a rebuild.
enum GenericRule {
    static func evaluate(_ rule: Rule, _ r: Record, caseRecord: Record?, context: PatrolContext) -> Finding? {
        guard rule.conditions.allSatisfy({ $0.holds(for: r) }) else { return nil }
        let factory = FindingFactory(rule: rule, caseRecord: caseRecord)
        let conditionFacts = rule.conditions.map { r.fact($0.field) }
        let unit = r.text("unit_id") ?? caseRecord?.text("unit_id")
        switch rule.shape {
        case .deadline:
            guard let fromField = rule.from, let start = r.time(fromField), let limit = rule.limit(for: r) else { return nil }
            let step = rule.to.flatMap { r.time($0) }
            let label = rule.to.flatMap { r.kind.schema.field($0)?.label } ?? "办结"
            guard let check = DeadlineCheck.evaluate(start: start, step: step, stepLabel: label, period: limit,
                                                     warn: rule.warn, holidays: rule.holidays, context: context) else { return nil }
            var facts = [r.fact(fromField)]
            if let to = rule.to { facts.append(r.fact(to)) }
            return factory.make(check.kind, rule.subject, [r.id], due: check.due, facts: facts + conditionFacts,
                                explanation: check.explanation, unitId: unit)
        case .required:
            guard let field = rule.field, !r.isSet(field) else { return nil }
            return factory.make(.missing, rule.subject, [r.id], facts: [r.fact(field)] + conditionFacts,
                                explanation: "\(r.kind.schema.field(field)?.label ?? field)（\(field)）为空", unitId: unit)
        case .forbidden:
            let kind: FindingKind = rule.severity == .advisory ? .advisory : .breach
            return factory.make(kind, rule.subject, [r.id], facts: conditionFacts,
                                explanation: "符合禁止情形：\(rule.conditions.map(\.description).joined(separator: "，"))", unitId: unit)
        case .builtin:
            return nil
        }
    }
}
