/// How stored values read on pages: Chinese labels for codes, CST minutes for times, 是/否 for booleans.
public enum Display {
    public static func value(_ v: StoredValue?, as field: Field) -> String {
        guard let v else { return "" }
        switch (field.type, v) {
        case (.time, .int(let s)): return Instant(seconds: s).cstMinuteString
        case (.bool, .int(let i)): return i == 0 ? "否" : "是"
        case (.enumeration(let e), .text(let s)), (.enumerationOrText(let e), .text(let s)): return e.label(of: s) ?? s
        case (.enumerationList(let e), .text(let s)):
            return FieldCodec.listItems(s).map { e.label(of: $0) ?? $0 }.joined(separator: "、")
        default: return FieldCodec.format(v, as: field.type)
        }
    }
}

/// One case on one timeline: every time recorded on the case's records, in order.
public struct CaseTimeline: Sendable {
    public struct Entry: Sendable, Equatable {
        public let at: Instant
        public let kind: ElementKind
        public let recordId: String
        /// The field's label, e.g. 接警时间, 送看守所时间.
        public let what: String
        /// A short description of the record, e.g. 刑事拘留 · 张三.
        public let subject: String
    }

    public let entries: [Entry]

    /// Builds the timeline of a bundle; `personName` names persons by id.
    public init(bundle: CaseBundle) {
        var names: [String: String] = [:]
        for p in bundle.persons + bundle.linkedPersons { names[p.id] = p.text("name") }
        func subject(_ r: Record) -> String {
            switch r.kind {
            case .measures:
                let kind = Enumerations.measureKind.label(of: r.text("kind") ?? "") ?? (r.text("kind") ?? "")
                return kind + " · " + (names[r.text("person_id") ?? ""] ?? r.text("person_id") ?? "")
            case .persons:
                return (r.text("name") ?? r.id) + " · " + (Enumerations.personRole.label(of: r.text("role") ?? "") ?? "")
            case .transcripts:
                return (Enumerations.transcriptKind.label(of: r.text("kind") ?? "") ?? "笔录") + " · "
                    + (names[r.text("person_id") ?? ""] ?? r.text("person_id") ?? "")
            case .property: return r.text("name") ?? r.id
            case .appraisals: return Enumerations.appraisalKind.label(of: r.text("kind") ?? "") ?? "鉴定"
            case .coordination: return Enumerations.coordinationKind.label(of: r.text("kind") ?? "") ?? "推送"
            case .venueVisits: return names[r.text("person_id") ?? ""] ?? r.text("person_id") ?? ""
            case .incidents: return Enumerations.incidentCategory.label(of: r.text("category") ?? "") ?? ""
            case .cases: return r.text("cause") ?? ""
            default: return r.text("name") ?? r.id
            }
        }
        var out: [Entry] = []
        let records = [bundle.case] + bundle.incidents + bundle.persons + bundle.measures + bundle.transcripts
            + bundle.property + bundle.visits + bundle.appraisals + bundle.coordination
        for r in records {
            for (i, f) in r.kind.schema.fields.enumerated() where f.type == .time {
                if case .int(let s)? = r.values[i] {
                    out.append(Entry(at: Instant(seconds: s), kind: r.kind, recordId: r.id, what: f.label, subject: subject(r)))
                }
            }
        }
        entries = out.sorted { ($0.at, $0.kind.ordinal, $0.recordId) < ($1.at, $1.kind.ordinal, $1.recordId) }
    }
}
