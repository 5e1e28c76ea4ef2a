/// What kind of finding a rule yields (rules.md "How a rule produces a problem").
public enum FindingKind: String, Sendable, Codable, CaseIterable {
    case overdue, missing, breach, warning, advisory

    public var label: String {
        switch self {
        case .overdue: "超期"
        case .missing: "缺失"
        case .breach: "违规"
        case .warning: "临期预警"
        case .advisory: "提示"
        }
    }
}

/// Severity and its weight in the dual-track score.
public enum Severity: String, Sendable, Codable, CaseIterable {
    case grave, major, minor, advisory

    public var label: String {
        switch self {
        case .grave: "严重"
        case .major: "较重"
        case .minor: "一般"
        case .advisory: "提示"
        }
    }

    public var weight: Int {
        switch self {
        case .grave: 5
        case .major: 3
        case .minor: 1
        case .advisory: 0
        }
    }
}

/// The kinds of subject a rule looks at.
public enum SubjectKind: String, Sendable, Codable, CaseIterable {
    case incident, `case`, person, measure, property, transcript, visit, appraisal, coordination

    public var element: ElementKind {
        switch self {
        case .incident: .incidents
        case .case: .cases
        case .person: .persons
        case .measure: .measures
        case .property: .property
        case .transcript: .transcripts
        case .visit: .venueVisits
        case .appraisal: .appraisals
        case .coordination: .coordination
        }
    }

    public init?(element: ElementKind) {
        guard let s = SubjectKind.allCases.first(where: { $0.element == element }) else { return nil }
        self = s
    }
}

/// One finding of the patrol: why it fired, from which facts, by when.
public struct Finding: Sendable, Equatable {
    public var ruleId: String
    public var ruleName: String
    public var kind: FindingKind
    public var severity: Severity
    public var subjectKind: SubjectKind
    /// Source ids of the subject (two, sorted, for pair rules).
    public var subjectIds: [String]
    public var caseId: String?
    public var unitId: String?
    public var officerId: String?
    /// The deadline computed, or nil where the rule has none.
    public var dueAt: Instant?
    /// `element.field = value` of each record read.
    public var facts: [String]
    /// How the period was counted, or why the rule fired, in Chinese.
    public var explanation: String
    public var basis: String

    public init(ruleId: String, ruleName: String, kind: FindingKind, severity: Severity, subjectKind: SubjectKind,
                subjectIds: [String], caseId: String?, unitId: String?, officerId: String?, dueAt: Instant?, facts: [String],
                explanation: String, basis: String) {
        self.ruleId = ruleId
        self.ruleName = ruleName
        self.kind = kind
        self.severity = severity
        self.subjectKind = subjectKind
        self.subjectIds = subjectIds
        self.caseId = caseId
        self.unitId = unitId
        self.officerId = officerId
        self.dueAt = dueAt
        self.facts = facts
        self.explanation = explanation
        self.basis = basis
    }

    /// The identity of the problem this finding opens or updates.
    public var identity: String { ruleId + "|" + subjectIds.joined(separator: ",") }
}

extension Finding {
    /// One line of the findings export (rules.md "Findings export"): fixed key order, ISO 8601
    /// with +08:00, a 24:00 deadline written as 00:00 of the next day.
    public var exportLine: String {
        var s = "{"
        s += "\"rule_id\":\(JSON.string(ruleId)),\"finding\":\(JSON.string(kind.rawValue)),"
        s += "\"severity\":\(JSON.string(severity.rawValue)),\"subject_kind\":\(JSON.string(subjectKind.rawValue)),"
        s += "\"subject_ids\":[\(subjectIds.map(JSON.string).joined(separator: ","))],"
        s += "\"case_id\":\(JSON.optional(caseId)),\"unit_id\":\(JSON.optional(unitId)),\"officer_id\":\(JSON.optional(officerId)),"
        s += "\"due_at\":\(dueAt.map { JSON.string($0.iso8601CST) } ?? "null"),"
        s += "\"rule_name\":\(JSON.string(ruleName)),"
        s += "\"facts\":[\(facts.map(JSON.string).joined(separator: ","))],"
        s += "\"explanation\":\(JSON.string(explanation)),\"basis\":\(JSON.string(basis))"
        return s + "}"
    }

    /// Export order: rule id, then subject ids.
    public static func exportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.ruleId != b.ruleId { return a.ruleId < b.ruleId }
        return a.subjectIds.lexicographicallyPrecedes(b.subjectIds)
    }
}

/// Minimal JSON text encoding with a stable form.
public enum JSON {
    public static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    public static func optional(_ s: String?) -> String { s.map(string) ?? "null" }
}
