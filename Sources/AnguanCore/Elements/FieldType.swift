/// The type of one field of an interchange element, which decides how a cell is parsed,
/// stored and written back.
public enum FieldType: Sendable, Hashable {
    /// Free text, kept exactly as written.
    case text
    /// An instant: `YYYY-MM-DD HH:MM[:SS]` in China Standard Time, or ISO 8601 with an offset.
    case time
    /// A calendar date `YYYY-MM-DD`.
    case date
    /// `1/0`, `true/false` or `是/否`.
    case bool
    /// A decimal number.
    case number
    /// One code of an enumeration, given by code or Chinese label.
    case enumeration(Enumeration)
    /// A code of the enumeration, or free text kept as written (e.g. `measures.outcome`).
    case enumerationOrText(Enumeration)
    /// A `;` list of codes of an enumeration.
    case enumerationList(Enumeration)
    /// A 公民身份号码 with its GB 11643 check digit.
    case idNumber
    /// The id of a record of another element.
    case reference(ElementKind)
    /// A `;` list of ids of records of another element.
    case referenceList(ElementKind)
}

/// One field (column) of an element. A class: the importer reads a row's fields by the million,
/// and a reference is one count to keep where this struct's strings and type were five.
public final class Field: Sendable, Hashable {
    public let name: String
    public let type: FieldType
    public let required: Bool
    /// Chinese name for pages and messages.
    public let label: String

    public init(_ name: String, _ type: FieldType, required: Bool = false, label: String) {
        self.name = name
        self.type = type
        self.required = required
        self.label = label
    }

    public static func == (lhs: Field, rhs: Field) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.required == rhs.required && lhs.label == rhs.label
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
    }
}
