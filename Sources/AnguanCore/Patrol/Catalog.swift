import Foundation
import Yams

/// How a rule is evaluated: one of the built-in conditions of rules.md (their limits, windows
/// and severities are data), or one of the shapes a branch can add without a rebuild.
public enum RuleShape: String, Sendable, Codable {
    /// A condition of rules.md, evaluated by the code registered under the rule's id.
    case builtin
    /// A deadline between two times of one subject: `to − from` against the limit (or open).
    case deadline
    /// A field that must be set on every subject matching `where`.
    case required
    /// A state of affairs (all of `where`) that must not occur.
    case forbidden
}

/// A limit chosen by a field of the subject, e.g. `extension=7d` → `7d`.
public struct LimitChoice: Sendable, Codable, Equatable {
    public var when: String
    public var limit: String
}

/// One entry of the catalog as written in YAML; in an overrides file every key but `id` may be
/// left out.
public struct RuleEntry: Sendable, Codable, Equatable {
    public var id: String
    public var name: String?
    public var subject: String?
    public var shape: RuleShape?
    public var severity: String?
    public var condition: String?
    public var limit: String?
    public var limits: [LimitChoice]?
    public var warn: String?
    public var holidays: String?
    public var basis: String?
    public var enabled: Bool?
    public var localDefault: Bool?
    public var params: [String: String]?
    public var from: String?
    public var to: String?
    public var field: String?
    public var `where`: [String]?

    /// An entry that only names its rule (an override that changes nothing yet).
    public init(id: String) { self.id = id }

    enum CodingKeys: String, CodingKey {
        case id, name, subject, shape, severity, condition, limit, limits, warn, holidays, basis, enabled
        case localDefault = "local_default"
        case params, from, to, field, `where`
    }

    /// This entry with the keys of `o` laid over it.
    func merged(with o: RuleEntry) -> RuleEntry {
        var r = self
        if let v = o.name { r.name = v }
        if let v = o.subject { r.subject = v }
        if let v = o.shape { r.shape = v }
        if let v = o.severity { r.severity = v }
        if let v = o.condition { r.condition = v }
        if let v = o.limit { r.limit = v }
        if let v = o.limits { r.limits = v }
        if let v = o.warn { r.warn = v }
        if let v = o.holidays { r.holidays = v }
        if let v = o.basis { r.basis = v }
        if let v = o.enabled { r.enabled = v }
        if let v = o.localDefault { r.localDefault = v }
        if let v = o.params { r.params = (r.params ?? [:]).merging(v) { $1 } }
        if let v = o.from { r.from = v }
        if let v = o.to { r.to = v }
        if let v = o.field { r.field = v }
        if let v = o.where { r.where = v }
        return r
    }
}

/// A condition on one field of a subject: `field=value`, `field=a|b`, `field!=value`, `field`
/// (set / true) or `!field` (empty / false).
public struct FieldCondition: Sendable, Equatable, CustomStringConvertible {
    public enum Op: Sendable, Equatable { case equals([String]), notEquals([String]), isSet, isEmpty }
    public let field: String
    public let op: Op

    public var description: String {
        switch op {
        case .equals(let v): "\(field)=\(v.joined(separator: "|"))"
        case .notEquals(let v): "\(field)!=\(v.joined(separator: "|"))"
        case .isSet: field
        case .isEmpty: "!\(field)"
        }
    }

    /// Parses and checks the condition against the subject's schema.
    init(parsing s: String, schema: ElementSchema) throws {
        let t = s.trimmingSpaces
        var name: String
        var op: Op
        if let r = t.range(of: "!=") {
            name = String(t[..<r.lowerBound]).trimmingSpaces
            op = .notEquals(String(t[r.upperBound...]).split(separator: "|").map { String($0).trimmingSpaces })
        } else if let r = t.range(of: "=") {
            name = String(t[..<r.lowerBound]).trimmingSpaces
            op = .equals(String(t[r.upperBound...]).split(separator: "|").map { String($0).trimmingSpaces })
        } else if t.hasPrefix("!") {
            name = String(t.dropFirst()).trimmingSpaces
            op = .isEmpty
        } else {
            name = t
            op = .isSet
        }
        guard let f = schema.field(name) else {
            throw CatalogError.Reason("condition \"\(s)\": \(schema.kind.fileStem) has no field \(name)")
        }
        // Enumeration values must be codes or labels of the field.
        if case .enumeration(let e) = f.type {
            switch op {
            case .equals(let vs), .notEquals(let vs):
                var codes: [String] = []
                for v in vs {
                    guard let c = e.code(for: v) else {
                        throw CatalogError.Reason("condition \"\(s)\": \"\(v)\" is not a \(e.name) (expected \(e.codeList))")
                    }
                    codes.append(c)
                }
                if case .equals = op { op = .equals(codes) } else { op = .notEquals(codes) }
            default: break
            }
        }
        field = name
        self.op = op
    }

    public func holds(for r: Record) -> Bool {
        let v = r.value(field)
        let text: String? = v.map { FieldCodec.format($0, as: r.kind.schema.field(field)!.type) }
        switch op {
        case .isSet:
            if case .int(let i) = v, r.kind.schema.field(field)?.type == .bool { return i != 0 }
            return v != nil
        case .isEmpty:
            if case .int(let i) = v, r.kind.schema.field(field)?.type == .bool { return i == 0 }
            return v == nil
        case .equals(let vs): return text.map { vs.contains($0) } ?? false
        case .notEquals(let vs): return !(text.map { vs.contains($0) } ?? false)
        }
    }
}

/// A rule ready to evaluate: every limit parsed and every field checked.
/// A class, not a struct: the engine hands each rule to every subject it evaluates, and copying
/// a value of this many strings, arrays and tables retained each of them every time.
public final class Rule: Sendable {
    public let id: String
    public let name: String
    public let subject: SubjectKind
    public let shape: RuleShape
    public let severity: Severity
    public let condition: String
    public let limit: Period?
    public let limits: [(when: FieldCondition, limit: Period)]
    public let warn: Period?
    public let holidays: HolidayPolicy?
    public let basis: String
    public let enabled: Bool
    public let localDefault: Bool
    public let params: [String: String]
    public let from: String?
    public let to: String?
    public let field: String?
    public let conditions: [FieldCondition]
    /// The entry as loaded (for `rules show` and the catalog version hash).
    public let entry: RuleEntry

    init(id: String, name: String, subject: SubjectKind, shape: RuleShape, severity: Severity, condition: String,
         limit: Period?, limits: [(when: FieldCondition, limit: Period)], warn: Period?, holidays: HolidayPolicy?,
         basis: String, enabled: Bool, localDefault: Bool, params: [String: String], from: String?, to: String?,
         field: String?, conditions: [FieldCondition], entry: RuleEntry) {
        self.id = id
        self.name = name
        self.subject = subject
        self.shape = shape
        self.severity = severity
        self.condition = condition
        self.limit = limit
        self.limits = limits
        self.warn = warn
        self.holidays = holidays
        self.basis = basis
        self.enabled = enabled
        self.localDefault = localDefault
        self.params = params
        self.from = from
        self.to = to
        self.field = field
        self.conditions = conditions
        self.entry = entry
    }

    /// The limit for a subject: the first matching choice, else the default limit.
    public func limit(for r: Record) -> Period? {
        for c in limits where c.when.holds(for: r) { return c.limit }
        return limit
    }

    /// A period parameter (local default), e.g. `gap: 12h`.
    public func period(_ name: String, default d: Period) -> Period {
        params[name].flatMap(Period.init(parsing:)) ?? d
    }

    public func number(_ name: String, default d: Double) -> Double {
        params[name].flatMap(Double.init) ?? d
    }
}

/// A rule that cannot be evaluated, refused at load with its id and the reason.
public struct CatalogError: Error, Sendable, CustomStringConvertible, Equatable {
    public struct Reason: Error, Sendable, Equatable {
        public let text: String
        init(_ t: String) { text = t }
    }
    public let ruleId: String
    public let reason: String
    public var description: String { "rule \(ruleId): \(reason)" }
}

/// The rule catalog: the shipped default with a branch's overrides laid over it.
public struct Catalog: Sendable {
    public let rules: [Rule]
    /// A short hash of the effective catalog, recorded with every patrol run.
    public let version: String

    public func rule(_ id: String) -> Rule? { rules.first { $0.id == id } }

    /// The default catalog shipped as `Resources/catalog.yaml`.
    public static func defaultEntries() throws -> [RuleEntry] { try shippedEntries.get() }

    /// The shipped catalog, parsed once.
    private static let shippedEntries: Result<[RuleEntry], any Error> = Result {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "yaml") else {
            throw CatalogError(ruleId: "-", reason: "the shipped catalog.yaml resource is missing")
        }
        return try entries(yaml: String(contentsOf: url, encoding: .utf8), source: "catalog.yaml")
    }

    /// Parses a YAML list of entries.
    public static func entries(yaml: String, source: String) throws -> [RuleEntry] {
        do {
            return try YAMLDecoder().decode([RuleEntry].self, from: yaml)
        } catch {
            throw CatalogError(ruleId: "-", reason: "\(source) is not a valid rule list: \(error)")
        }
    }

    /// Loads the default catalog with the overrides laid over it, checking every rule. Every
    /// problem is reported (all of them, one per rule), and none is silently dropped.
    public static func load(overrides: [RuleEntry] = []) throws -> Catalog {
        try load(base: defaultEntries(), overrides: overrides)
    }

    public struct LoadErrors: Error, Sendable, CustomStringConvertible {
        public let errors: [CatalogError]
        public var description: String { errors.map(\.description).joined(separator: "\n") }
    }

    public static func load(base: [RuleEntry], overrides: [RuleEntry]) throws -> Catalog {
        var entries = base
        var errors: [CatalogError] = []
        for o in overrides {
            if let i = entries.firstIndex(where: { $0.id == o.id }) {
                entries[i] = entries[i].merged(with: o)
            } else {
                entries.append(o)
            }
        }
        var rules: [Rule] = []
        var seen = Set<String>()
        for e in entries {
            if seen.contains(e.id) {
                errors.append(CatalogError(ruleId: e.id, reason: "appears twice"))
                continue
            }
            seen.insert(e.id)
            do {
                rules.append(try compile(e))
            } catch {
                errors.append(CatalogError(ruleId: e.id, reason: (error as? CatalogError.Reason)?.text ?? "\(error)"))
            }
        }
        if !errors.isEmpty { throw LoadErrors(errors: errors) }
        var h = FNV1a()
        for r in rules { h.add(String(describing: r.entry)) }
        return Catalog(rules: rules, version: String(h.value, radix: 16))
    }

    static func compile(_ e: RuleEntry) throws -> Rule {
        guard !e.id.isEmpty, e.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw CatalogError.Reason("id must be letters, digits and _")
        }
        guard let name = e.name, !name.isEmpty else { throw CatalogError.Reason("has no name") }
        guard let subjectText = e.subject, let subject = SubjectKind(rawValue: subjectText) else {
            throw CatalogError.Reason("unknown subject \"\(e.subject ?? "")\" (expected \(SubjectKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let sevText = e.severity, let severity = Severity(rawValue: sevText) else {
            throw CatalogError.Reason("unknown severity \"\(e.severity ?? "")\" (expected grave, major, minor, advisory)")
        }
        let shape = e.shape ?? .builtin
        if shape == .builtin && BuiltinRules.evaluators[e.id] == nil {
            throw CatalogError.Reason("is not a built-in rule; an added rule needs shape deadline, required or forbidden")
        }
        let schema = subject.element.schema
        func period(_ s: String?, _ what: String) throws -> Period? {
            guard let s else { return nil }
            guard let p = Period(parsing: s), p.amount > 0 else {
                throw CatalogError.Reason("bad \(what) \"\(s)\" (expected a number and min, h, d or m, e.g. 24h, 3d, 2m)")
            }
            return p
        }
        let limit = try period(e.limit, "limit")
        var limits: [(FieldCondition, Period)] = []
        for c in e.limits ?? [] {
            let cond = try FieldCondition(parsing: c.when, schema: schema)
            guard let p = try period(c.limit, "limit") else { throw CatalogError.Reason("limit choice without a limit") }
            limits.append((cond, p))
        }
        let warn = try period(e.warn, "pre-warning window")
        var holidays: HolidayPolicy? = nil
        if let h = e.holidays, h != "none", h != "-" {
            guard let p = HolidayPolicy(rawValue: h) else {
                throw CatalogError.Reason("bad holiday policy \"\(h)\" (expected extend, no or none)")
            }
            holidays = p
        }
        for (k, v) in e.params ?? [:] where Period(parsing: v) == nil && Double(v) == nil {
            throw CatalogError.Reason("parameter \(k) = \"\(v)\" is neither a period nor a number")
        }
        var conditions: [FieldCondition] = []
        for w in e.where ?? [] { conditions.append(try FieldCondition(parsing: w, schema: schema)) }
        func timeField(_ name: String?, _ what: String) throws {
            guard let name else { throw CatalogError.Reason("a deadline rule needs \(what)") }
            guard let f = schema.field(name) else { throw CatalogError.Reason("\(what): \(schema.kind.fileStem) has no field \(name)") }
            guard f.type == .time else { throw CatalogError.Reason("\(what): \(name) is not a time") }
        }
        switch shape {
        case .deadline:
            try timeField(e.from, "from")
            if e.to != nil { try timeField(e.to, "to") }
            guard limit != nil || !limits.isEmpty else { throw CatalogError.Reason("a deadline rule needs a limit") }
        case .required:
            guard let f = e.field else { throw CatalogError.Reason("a required rule needs field") }
            guard schema.field(f) != nil else { throw CatalogError.Reason("field: \(schema.kind.fileStem) has no field \(f)") }
        case .forbidden:
            guard !conditions.isEmpty else { throw CatalogError.Reason("a forbidden rule needs where conditions") }
        case .builtin:
            if let need = BuiltinRules.needsLimit[e.id], need, limit == nil { throw CatalogError.Reason("needs a limit") }
        }
        guard let basis = e.basis, !basis.isEmpty else { throw CatalogError.Reason("has no legal basis text") }
        return Rule(id: e.id, name: name, subject: subject, shape: shape, severity: severity,
                    condition: e.condition ?? "", limit: limit, limits: limits, warn: warn, holidays: holidays,
                    basis: basis, enabled: e.enabled ?? true, localDefault: e.localDefault ?? false,
                    params: e.params ?? [:], from: e.from, to: e.to, field: e.field, conditions: conditions, entry: e)
    }
}
