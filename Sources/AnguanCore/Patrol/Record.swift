/// One stored record of an element, read by field name: what the rules look at.
public struct Record: Sendable, Hashable {
    public let kind: ElementKind
    public let values: [StoredValue?]

    public init(kind: ElementKind, values: [StoredValue?]) {
        precondition(values.count == kind.schema.fields.count)
        self.kind = kind
        self.values = values
    }

    /// Builds a record from field → value pairs (tests and the demo use it).
    public init(_ kind: ElementKind, _ fields: [String: StoredValue]) {
        let schema = kind.schema
        var v: [StoredValue?] = Array(repeating: nil, count: schema.fields.count)
        for (k, value) in fields {
            guard let i = schema.position(of: k) else { preconditionFailure("\(kind) has no field \(k)") }
            v[i] = value
        }
        self.init(kind: kind, values: v)
    }

    public var id: String { values[0]?.text ?? "" }

    public func value(_ field: String) -> StoredValue? {
        guard let i = kind.schema.position(of: field) else { return nil }
        return values[i]
    }

    public func text(_ field: String) -> String? { value(field)?.text }
    public func time(_ field: String) -> Instant? { value(field)?.int.map { Instant(seconds: $0) } }
    public func bool(_ field: String) -> Bool { value(field)?.int.map { $0 != 0 } ?? false }
    public func number(_ field: String) -> Double? { value(field)?.real }
    public func isSet(_ field: String) -> Bool { value(field) != nil }

    /// `field = value` as a finding shows it (times in CST, codes as codes).
    public func fact(_ field: String) -> String {
        guard let f = kind.schema.field(field) else { return "\(kind.fileStem).\(field) = ?" }
        let v = value(field)
        return "\(kind.fileStem).\(field) = " + (v == nil ? "（空）" : FieldCodec.format(v, as: f.type))
    }
}

extension Record {
    /// The record as it stood at `now`: times after `now` have not happened yet and read as empty;
    /// a record whose first required time lies after `now` did not exist yet (nil). This makes a patrol
    /// at a past reference time see exactly what was known then.
    public func asOf(_ now: Instant) -> Record? {
        let schema = kind.schema
        var v = values
        var changed = false
        // The first required time is when the record came to be (接警, 受案, 开始, 扣押, 入区 …);
        // later times (a transcript's end) may still lie ahead. `extended_until` is an approved
        // deadline, not an event: it may lie in the future.
        var first = true
        for (i, f) in schema.fields.enumerated() where f.type == .time && f.name != "extended_until" {
            let isCreation = f.required && first
            if f.required { first = false }
            if case .int(let s) = v[i], s > now.seconds {
                if isCreation { return nil }
                v[i] = nil
                changed = true
            }
        }
        return changed ? Record(kind: kind, values: v) : self
    }
}

extension CaseBundle {
    /// The bundle as it stood at `now` (see `Record.asOf`); nil when the case did not exist yet.
    public func asOf(_ now: Instant) -> CaseBundle? {
        guard let c = self.case.asOf(now) else { return nil }
        var b = CaseBundle(case: c)
        b.incidents = incidents.compactMap { $0.asOf(now) }
        b.persons = persons.compactMap { $0.asOf(now) }
        b.measures = measures.compactMap { $0.asOf(now) }
        b.transcripts = transcripts.compactMap { $0.asOf(now) }
        b.property = property.compactMap { $0.asOf(now) }
        b.visits = visits.compactMap { $0.asOf(now) }
        b.appraisals = appraisals.compactMap { $0.asOf(now) }
        b.coordination = coordination.compactMap { $0.asOf(now) }
        b.linkedPersons = linkedPersons.compactMap { $0.asOf(now) }
        return b
    }
}
