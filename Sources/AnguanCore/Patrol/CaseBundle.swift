/// Everything the patrol knows about one case: the rules that look across elements (a detention
/// and the person's first interrogation, a visit and the measure that brought the person in)
/// read it here.
public struct CaseBundle: Sendable {
    public var `case`: Record
    /// Incidents linked to the case (by `cases.incident_id` or `incidents.case_id`).
    public var incidents: [Record] = []
    public var persons: [Record] = []
    public var measures: [Record] = []
    public var transcripts: [Record] = []
    public var property: [Record] = []
    /// Venue visits of the case's persons (by `person_id`), whatever their `case_id`.
    public var visits: [Record] = []
    public var appraisals: [Record] = []
    public var coordination: [Record] = []
    /// Persons of other cases that this case's transcripts or measures name (read for age and
    /// role only; person rules look at `persons`).
    public var linkedPersons: [Record] = []

    public init(case c: Record) { self.case = c }

    public var caseId: String { self.case.id }

    public func person(_ id: String?) -> Record? {
        guard let id else { return nil }
        return persons.first { $0.id == id } ?? linkedPersons.first { $0.id == id }
    }

    public func measures(of personId: String) -> [Record] { measures.filter { $0.text("person_id") == personId } }

    public func visits(of personId: String) -> [Record] { visits.filter { $0.text("person_id") == personId } }

    /// A case is transferred when `transferred_at` is set or its status is transferred, prosecuted
    /// or judged (rules.md, shared words).
    public var isTransferred: Bool {
        self.case.isSet("transferred_at")
            || ["transferred", "prosecuted", "judged"].contains(self.case.text("status") ?? "")
    }

    /// When the case was transferred, where known.
    public var transferredAt: Instant? { self.case.time("transferred_at") }

    /// The originating incident: `cases.incident_id`, else the earliest-received incident that
    /// names the case.
    public var originatingIncident: Record? {
        if let id = self.case.text("incident_id"), let i = incidents.first(where: { $0.id == id }) { return i }
        return incidents.filter { $0.text("case_id") == caseId }
            .min { ($0.time("received_at")?.seconds ?? .max) < ($1.time("received_at")?.seconds ?? .max) }
    }

    /// Times of investigative activity: transcripts, measures, appraisals and coordination pushes.
    public var activityTimes: [Instant] {
        var t: [Instant] = []
        t += transcripts.compactMap { $0.time("started_at") }
        t += measures.compactMap { $0.time("started_at") }
        t += appraisals.compactMap { $0.time("commissioned_at") }
        t += appraisals.compactMap { $0.time("completed_at") }
        t += coordination.compactMap { $0.time("pushed_at") }
        return t
    }
}

/// What every evaluation needs besides the records: "now", the calendar, and the officers (for
/// 辅警) and units.
public struct PatrolContext: Sendable {
    public let now: Instant
    public let calendar: HolidayCalendar
    /// Officer id → roles.
    public let officerRoles: [String: Set<String>]

    public init(now: Instant, calendar: HolidayCalendar, officerRoles: [String: Set<String>] = [:]) {
        self.now = now
        self.calendar = calendar
        self.officerRoles = officerRoles
    }

    /// Officers with the role `auxiliary` (辅警) do not count as investigators.
    public func isInvestigator(_ officerId: String) -> Bool {
        !(officerRoles[officerId]?.contains("auxiliary") ?? false)
    }

    /// The person's age (周岁) on the CST date of `at`, from `birth_date`, else the id number.
    public static func age(of person: Record?, at: Instant) -> Int? {
        guard let person else { return nil }
        let birth = person.text("birth_date").flatMap(CivilDate.parse)
            ?? person.text("id_number").flatMap(IDNumber.birthDate)
        guard let birth else { return nil }
        return Age.years(birth: birth, on: at.cstDate)
    }
}
