import AnguanCore
import SQLKit

/// Read-only queries behind the pages, the CLI listings and the metrics.
public struct Queries: Sendable {
    public let store: Store
    public init(store: Store) { self.store = store }

    /// Records per element.
    public func elementCounts() async throws -> [(ElementKind, Int)] {
        try await store.read { db in
            var out: [(ElementKind, Int)] = []
            for k in ElementKind.allCases {
                let row = try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: k.table)").first()
                out.append((k, try row!.decode(column: "n", as: Int.self)))
            }
            return out
        }
    }

    public struct UnitRow: Sendable {
        public let unitId: String
        public let name: String
        public let kind: String
        public let officers: Int
        public let incidents: Int
        public let cases: Int
    }

    /// Units by id: id, name and kind (for menus).
    public func units() async throws -> [(id: String, name: String, kind: String)] {
        try await store.read { db in
            try await db.raw("SELECT unit_id, name, kind FROM el_units ORDER BY unit_id").all().map {
                (try $0.decode(column: "unit_id", as: String.self), try $0.decode(column: "name", as: String.self),
                 try $0.decode(column: "kind", as: String.self))
            }
        }
    }

    /// Officers, incidents and cases per unit.
    public func unitCounts() async throws -> [UnitRow] {
        try await store.read { db in
            let rows = try await db.raw("""
                SELECT u.unit_id, u.name, u.kind,
                  (SELECT COUNT(*) FROM el_officers o WHERE o.unit_id = u.unit_id) AS officers,
                  (SELECT COUNT(*) FROM el_incidents i WHERE i.unit_id = u.unit_id) AS incidents,
                  (SELECT COUNT(*) FROM el_cases c WHERE c.unit_id = u.unit_id) AS cases
                FROM el_units u ORDER BY u.unit_id
                """).all()
            return try rows.map {
                UnitRow(unitId: try $0.decode(column: "unit_id", as: String.self),
                        name: try $0.decode(column: "name", as: String.self),
                        kind: try $0.decode(column: "kind", as: String.self),
                        officers: try $0.decode(column: "officers", as: Int.self),
                        incidents: try $0.decode(column: "incidents", as: Int.self),
                        cases: try $0.decode(column: "cases", as: Int.self))
            }
        }
    }

    public struct ImportRunRow: Sendable {
        public let id: Int64
        public let folder: String
        public let startedAt: Int64
        public let finishedAt: Int64?
        public let outcome: String
        public let mode: String
        public let inserted: Int
        public let updated: Int
        public let unchanged: Int
        public let rejected: Int
        public let message: String?
        public var files: [FileRow] = []
    }

    public struct FileRow: Sendable {
        public let file: String
        public let sha256: String
        public let rows: Int
        public let inserted: Int
        public let updated: Int
        public let unchanged: Int
        public let rejected: Int
    }

    /// The latest import runs, newest first, with their files.
    public func importRuns(limit: Int = 20) async throws -> [ImportRunRow] {
        try await store.read { db in
            let runs = try await db.raw("""
                SELECT id, folder, started_at, finished_at, outcome, mode, inserted, updated, unchanged, rejected, message
                FROM import_runs ORDER BY id DESC LIMIT \(bind: limit)
                """).all()
            var out: [ImportRunRow] = []
            for r in runs {
                var run = ImportRunRow(
                    id: try r.decode(column: "id", as: Int64.self), folder: try r.decode(column: "folder", as: String.self),
                    startedAt: try r.decode(column: "started_at", as: Int64.self),
                    finishedAt: try r.decode(column: "finished_at", as: Int64?.self),
                    outcome: try r.decode(column: "outcome", as: String.self), mode: try r.decode(column: "mode", as: String.self),
                    inserted: try r.decode(column: "inserted", as: Int.self), updated: try r.decode(column: "updated", as: Int.self),
                    unchanged: try r.decode(column: "unchanged", as: Int.self),
                    rejected: try r.decode(column: "rejected", as: Int.self),
                    message: try r.decode(column: "message", as: String?.self))
                let files = try await db.raw("""
                    SELECT file, sha256, rows, inserted, updated, unchanged, rejected FROM import_files
                    WHERE run_id = \(bind: run.id) ORDER BY file
                    """).all()
                run.files = try files.map {
                    FileRow(file: try $0.decode(column: "file", as: String.self),
                            sha256: try $0.decode(column: "sha256", as: String.self),
                            rows: try $0.decode(column: "rows", as: Int.self),
                            inserted: try $0.decode(column: "inserted", as: Int.self),
                            updated: try $0.decode(column: "updated", as: Int.self),
                            unchanged: try $0.decode(column: "unchanged", as: Int.self),
                            rejected: try $0.decode(column: "rejected", as: Int.self))
                }
                out.append(run)
            }
            return out
        }
    }

    /// Whether the database holds no element records at all.
    public func isEmpty() async throws -> Bool {
        try await store.read { db in
            for k in ElementKind.allCases {
                if try await db.raw("SELECT 1 AS x FROM \(unsafeRaw: k.table) LIMIT 1").first() != nil { return false }
            }
            return true
        }
    }
}

extension Queries {
    public struct PatrolOverview: Sendable {
        public var lastRunAt: Int64?
        public var lastNow: Int64?
        public var catalogVersion: String?
        public var byRule: [(ruleId: String, name: String, severity: String, open: Int)] = []
        public var byState: [(state: String, count: Int)] = []
    }

    /// The last patrol run, open problems per rule, and problems per state.
    public func patrolOverview() async throws -> PatrolOverview {
        try await store.read { db in
            var o = PatrolOverview()
            if let r = try await db.raw("SELECT finished_at, now_at, catalog_version FROM patrol_runs WHERE outcome = 'finished' ORDER BY id DESC LIMIT 1").first() {
                o.lastRunAt = try r.decode(column: "finished_at", as: Int64?.self)
                o.lastNow = try r.decode(column: "now_at", as: Int64.self)
                o.catalogVersion = try r.decode(column: "catalog_version", as: String.self)
            }
            o.byRule = try await db.raw("""
                SELECT rule_id, MIN(rule_name) AS name,
                  CASE MIN(CASE severity WHEN 'grave' THEN 1 WHEN 'major' THEN 2 WHEN 'minor' THEN 3 ELSE 4 END)
                    WHEN 1 THEN 'grave' WHEN 2 THEN 'major' WHEN 3 THEN 'minor' ELSE 'advisory' END AS severity,
                  COUNT(*) AS n FROM problems
                WHERE state NOT IN ('closed', 'false_positive', 'recheck') GROUP BY rule_id ORDER BY COUNT(*) DESC, rule_id
                """).all().map {
                (try $0.decode(column: "rule_id", as: String.self), try $0.decode(column: "name", as: String.self),
                 try $0.decode(column: "severity", as: String.self), try $0.decode(column: "n", as: Int.self))
            }
            o.byState = try await db.raw("SELECT state, COUNT(*) AS n FROM problems GROUP BY state ORDER BY state").all().map {
                (try $0.decode(column: "state", as: String.self), try $0.decode(column: "n", as: Int.self))
            }
            return o
        }
    }
}
