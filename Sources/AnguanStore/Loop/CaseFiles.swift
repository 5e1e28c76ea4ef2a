import AnguanCore
import SQLKit

/// One case with every record about it, for the case page: scoped like problems (a station sees its
/// own cases), and for the procuratorate criminal cases only.
public struct CaseFiles: Sendable {
    public let store: Store
    public init(store: Store) { self.store = store }

    public struct CaseFile: Sendable {
        public let bundle: CaseBundle
        public let timeline: CaseTimeline
        public let unitName: String?
        public let officerNames: [String: String]
    }

    static func visible(_ c: Record, to actor: Actor) -> Bool {
        guard actor.scope.contains(unitId: c.text("unit_id")) else { return false }
        if actor.role == .prosecutor { return c.text("case_type") == "criminal" }
        return true
    }

    /// The case, or nil when it does not exist or is outside the actor's view.
    public func load(_ caseId: String, for actor: Actor) async throws -> CaseFile? {
        let reader = RecordReader(store: store)
        guard let c = try await reader.records(.cases, where: "case_id", in: [caseId]).first, Self.visible(c, to: actor) else {
            return nil
        }
        let bundle = try await PatrolRunner.bundles(of: [c], reader: reader).bundles[0]
        var officers = Set<String>()
        for r in [c] + bundle.incidents + bundle.transcripts {
            for key in ["officer_id", "lead_officer_id"] { if let o = r.text(key) { officers.insert(o) } }
            if let list = r.text("officer_ids") { for o in FieldCodec.listItems(list) { officers.insert(o) } }
        }
        let names = try await reader.records(.officers, where: "officer_id", in: Array(officers))
        let unit = try await reader.records(.units, where: "unit_id", in: [c.text("unit_id") ?? ""]).first
        return CaseFile(bundle: bundle, timeline: CaseTimeline(bundle: bundle), unitName: unit?.text("name"),
                        officerNames: Dictionary(names.map { ($0.id, $0.text("name") ?? $0.id) }, uniquingKeysWith: { a, _ in a }))
    }

    public struct Row: Sendable {
        public let caseId: String
        public let name: String
        public let type: String
        public let status: String?
        public let unitName: String?
        public let acceptedAt: Instant?
        public let openProblems: Int
    }

    /// Cases in the actor's view, newest first, optionally matching a name or id.
    public func list(for actor: Actor, query: String?, page: Int, perPage: Int = 50) async throws -> (rows: [Row], total: Int) {
        var w = SQLQueryString("WHERE 1 = 1")
        if case .unit(let u) = actor.scope {
            w.appendLiteral(" AND c.unit_id = ")
            w.appendInterpolation(bind: u)
        }
        if actor.role == .prosecutor { w.appendLiteral(" AND c.case_type = 'criminal'") }
        if let q = query?.trimmingSpaces, !q.isEmpty {
            w.appendLiteral(" AND (c.case_id = ")
            w.appendInterpolation(bind: q)
            w.appendLiteral(" OR c.cause LIKE ")
            w.appendInterpolation(bind: "%" + q.replacingOccurrences(of: "%", with: "") + "%")
            w.appendLiteral(")")
        }
        let showProblems = Permission.seeProblems.isGranted(to: actor.role)
        return try await store.read { [w] db in
            var count = SQLQueryString("SELECT COUNT(*) AS n FROM el_cases c ")
            count.appendInterpolation(w)
            let total = try await db.raw(count).first()!.decode(column: "n", as: Int.self)
            var q = SQLQueryString("""
                SELECT c.case_id, c.cause, c.case_type, c.status, u.name AS unit_name, c.accepted_at,
                  \(unsafeRaw: showProblems ? "(SELECT COUNT(*) FROM problems p WHERE p.case_id = c.case_id AND \(ProblemDesk.openCondition))" : "0") AS open_problems
                FROM el_cases c LEFT JOIN el_units u ON u.unit_id = c.unit_id
                """)
            q.appendLiteral(" ")
            q.appendInterpolation(w)
            q.appendLiteral(" ORDER BY c.accepted_at DESC, c.case_id LIMIT ")
            q.appendInterpolation(bind: perPage)
            q.appendLiteral(" OFFSET ")
            q.appendInterpolation(bind: (max(page, 1) - 1) * perPage)
            let rows = try await db.raw(q).all().map { r in
                Row(caseId: try r.decode(column: "case_id", as: String.self), name: try r.decode(column: "cause", as: String.self),
                    type: try r.decode(column: "case_type", as: String.self), status: try r.decode(column: "status", as: String?.self),
                    unitName: try r.decode(column: "unit_name", as: String?.self),
                    acceptedAt: try r.decode(column: "accepted_at", as: Int64?.self).map(Instant.init(seconds:)),
                    openProblems: try r.decode(column: "open_problems", as: Int.self))
            }
            return (rows, total)
        }
    }
}
