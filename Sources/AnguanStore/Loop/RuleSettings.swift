import AnguanCore
import Foundation
import SQLKit
import Synchronization

/// Rule settings changed from the web (a limit, the warning window, the severity, the enabled flag),
/// stored as catalog overrides on top of the shipped catalog and the branch's overrides file, and each
/// rule's precision measured from 核查 outcomes.
public final class RuleSettings: Sendable {
    public let store: Store
    /// The branch's overrides file (`patrol.catalog`), applied before the settings stored here.
    public let fileOverrides: [RuleEntry]

    /// The last catalog compiled, with the stored settings it was compiled from (pages ask for the
    /// catalog on every request; it is compiled again only when a setting changed).
    private let compiled = Mutex<(key: [String], catalog: Catalog)?>(nil)

    public init(store: Store, fileOverrides: [RuleEntry] = []) {
        self.store = store
        self.fileOverrides = fileOverrides
    }

    func storedJSON() async throws -> [String] {
        try await store.read { db in
            try await db.raw("SELECT entry FROM rule_settings ORDER BY rule_id").all().map { try $0.decode(column: "entry", as: String.self) }
        }
    }

    /// The stored overrides, by rule id.
    public func stored() async throws -> [RuleEntry] {
        try await storedJSON().map { try JSONDecoder().decode(RuleEntry.self, from: Data($0.utf8)) }
    }

    /// The effective catalog: shipped + overrides file + settings changed from the web.
    public func catalog() async throws -> Catalog {
        let json = try await storedJSON()
        if let hit = compiled.withLock({ $0 }), hit.key == json { return hit.catalog }
        let catalog = try Catalog.load(overrides: fileOverrides + json.map { try JSONDecoder().decode(RuleEntry.self, from: Data($0.utf8)) })
        compiled.withLock { $0 = (json, catalog) }
        return catalog
    }

    /// A change to one rule; nil leaves the value as it is.
    public struct Change: Sendable, Equatable {
        public var limit: String?
        public var warn: String?
        public var severity: Severity?
        public var enabled: Bool?
        public init(limit: String? = nil, warn: String? = nil, severity: Severity? = nil, enabled: Bool? = nil) {
            self.limit = limit
            self.warn = warn
            self.severity = severity
            self.enabled = enabled
        }
    }

    /// Applies a change after checking that the whole catalog still compiles; audited with before and after.
    @discardableResult
    public func change(_ ruleId: String, _ change: Change, by actor: Actor, at now: Instant) async throws -> Rule {
        guard Permission.administer.isGranted(to: actor.role) else { throw LoopError.forbidden("只有管理员可以修改规则") }
        let current = try await catalog()
        guard let before = current.rule(ruleId) else { throw LoopError.notFound("规则 \(ruleId) ") }
        var stored = try await stored()
        var entry = stored.first { $0.id == ruleId } ?? RuleEntry(id: ruleId)
        if let l = change.limit?.trimmingSpaces, !l.isEmpty {
            guard Period(parsing: l) != nil else { throw LoopError.invalid(field: "limit", reason: "“\(l)”不是期间（如 24h、3d、1m）") }
            entry.limit = l
        }
        if let w = change.warn?.trimmingSpaces, !w.isEmpty {
            guard Period(parsing: w) != nil else { throw LoopError.invalid(field: "warn", reason: "“\(w)”不是期间（如 2h、1d）") }
            entry.warn = w
        }
        if let s = change.severity { entry.severity = s.rawValue }
        if let e = change.enabled { entry.enabled = e }
        stored.removeAll { $0.id == ruleId }
        stored.append(entry)
        let next: Catalog
        do {
            next = try Catalog.load(overrides: fileOverrides + stored)
        } catch let e as Catalog.LoadErrors {
            throw LoopError.invalid(field: "rule", reason: e.errors.map(\.reason).joined(separator: "；"))
        }
        let after = next.rule(ruleId)!
        let json = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
        @Sendable func show(_ r: Rule) -> String {
            "limit=\(r.limit?.description ?? "-") warn=\(r.warn?.description ?? "-") severity=\(r.severity.rawValue) enabled=\(r.enabled)"
        }
        try await store.write { s in
            try await s.sql.raw("DELETE FROM rule_settings WHERE rule_id = \(bind: ruleId)").run()
            try await s.sql.raw("""
                INSERT INTO rule_settings (rule_id, entry, updated_by, updated_at)
                VALUES (\(bind: ruleId), \(bind: json), \(bind: actor.login), \(bind: now.seconds))
                """).run()
            try await AuditLog.append(s, actor: actor.login, action: "rule.change", object: "rule:\(ruleId)",
                                      detail: "\(show(before)) -> \(show(after))", at: now)
        }
        return after
    }

    /// 核查 outcomes of one rule in one unit.
    public struct Precision: Sendable, Equatable {
        public let ruleId: String
        public let unitId: String?
        public let confirmed: Int
        public let dismissed: Int
        /// 属实 / (属实 + 不属实), nil before any verification.
        public var value: Double? { confirmed + dismissed == 0 ? nil : Double(confirmed) / Double(confirmed + dismissed) }
    }

    /// Precision per rule and unit, from the problems verified 属实 or 不属实 (the latest outcome of each).
    public func precision() async throws -> [Precision] {
        try await store.read { db in
            try await db.raw("""
                SELECT p.rule_id, p.unit_id,
                  SUM(CASE WHEN e.action = 'confirm' THEN 1 ELSE 0 END) AS confirmed,
                  SUM(CASE WHEN e.action = 'dismiss' THEN 1 ELSE 0 END) AS dismissed
                FROM problems p JOIN problem_events e ON e.problem_id = p.id
                WHERE e.action IN ('confirm', 'dismiss')
                  AND e.seq = (SELECT MAX(x.seq) FROM problem_events x WHERE x.problem_id = p.id AND x.action IN ('confirm', 'dismiss'))
                GROUP BY p.rule_id, p.unit_id ORDER BY p.rule_id, p.unit_id
                """).all().map { r in
                Precision(ruleId: try r.decode(column: "rule_id", as: String.self), unitId: try r.decode(column: "unit_id", as: String?.self),
                          confirmed: try r.decode(column: "confirmed", as: Int.self), dismissed: try r.decode(column: "dismissed", as: Int.self))
            }
        }
    }
}
