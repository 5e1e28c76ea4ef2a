/// The law-enforcement elements of the interchange format, in dependency order
/// (the order in which a folder is loaded).
public enum ElementKind: String, Sendable, CaseIterable, Hashable, Codable {
    case units, officers, incidents, cases, persons, measures, property, transcripts
    case venueVisits = "venue_visits"
    case appraisals, coordination

    /// The file stem, e.g. `venue_visits` for `venue_visits.csv` / `venue_visits.jsonl`.
    public var fileStem: String { rawValue }

    /// The table that stores the element.
    public var table: String { "el_\(rawValue)" }

    /// Chinese name of the element.
    public var label: String {
        switch self {
        case .units: "单位"
        case .officers: "民警"
        case .incidents: "警情"
        case .cases: "案件"
        case .persons: "涉案人员"
        case .measures: "强制措施"
        case .property: "涉案财物"
        case .transcripts: "笔录"
        case .venueVisits: "办案场所使用"
        case .appraisals: "鉴定"
        case .coordination: "政法协同推送"
        }
    }

    /// The schema (fields) of the element.
    public var schema: ElementSchema { ElementSchema.of(self) }

    /// Position in dependency order.
    public var ordinal: Int {
        switch self {
        case .units: 0
        case .officers: 1
        case .incidents: 2
        case .cases: 3
        case .persons: 4
        case .measures: 5
        case .property: 6
        case .transcripts: 7
        case .venueVisits: 8
        case .appraisals: 9
        case .coordination: 10
        }
    }
}
