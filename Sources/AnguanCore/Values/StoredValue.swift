/// A field value in its canonical stored form: instants as seconds, booleans as 0/1,
/// numbers as doubles, everything else (codes, lists, dates, text) as text.
public enum StoredValue: Sendable, Hashable {
    case text(String)
    case int(Int64)
    case real(Double)

    public var text: String? { if case .text(let s) = self { s } else { nil } }
    public var int: Int64? { if case .int(let i) = self { i } else { nil } }
    public var real: Double? {
        switch self {
        case .real(let d): d
        case .int(let i): Double(i)
        case .text: nil
        }
    }
}

/// Why one cell was refused.
public struct FieldProblem: Error, Sendable, Equatable {
    public let field: String
    public let reason: String
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Converts cells between the interchange spellings and the canonical stored form.
public enum FieldCodec {
    /// Parses one cell. An empty cell is nil (unknown / not happened yet); for a required field
    /// it is a problem.
    public static func parse(_ raw: String, as field: Field) -> Result<StoredValue?, FieldProblem> {
        let s = raw
        let isText: Bool
        if case .text = field.type { isText = true } else { isText = false }
        // What typed fields are read from: the cell without surrounding spaces (trimmed once).
        let t = isText ? s : s.trimmingSpaces
        if s.isEmpty || t.isEmpty {
            return field.required
                ? .failure(FieldProblem(field: field.name, reason: "is required but empty")) : .success(nil)
        }
        func fail(_ reason: String) -> Result<StoredValue?, FieldProblem> {
            .failure(FieldProblem(field: field.name, reason: "\(quoted(s)) \(reason)"))
        }
        switch field.type {
        case .text, .reference:
            return .success(.text(s))
        case .time:
            guard let i = Instant.parse(t) else {
                return fail("is not a time (expected YYYY-MM-DD HH:MM[:SS] or ISO 8601)")
            }
            return .success(.int(i.seconds))
        case .date:
            guard let d = CivilDate.parse(t) else { return fail("is not a date (expected YYYY-MM-DD)") }
            return .success(.text(d.description))
        case .bool:
            switch t.lowercased() {
            case "1", "true", "是": return .success(.int(1))
            case "0", "false", "否": return .success(.int(0))
            default: return fail("is not a boolean (expected 1/0, true/false or 是/否)")
            }
        case .number:
            guard let d = Double(t), d.isFinite else { return fail("is not a number") }
            return .success(.real(d))
        case .enumeration(let e):
            guard let code = e.code(for: t) else {
                return fail("is not a \(e.name) (expected one of \(e.codeList), or its Chinese label)")
            }
            return .success(.text(code))
        case .enumerationOrText(let e):
            return .success(.text(e.code(for: t) ?? s))
        case .enumerationList(let e):
            var codes: [String] = []
            for item in listItems(s) {
                guard let code = e.code(for: item) else {
                    return fail("holds \(quoted(item)), not a \(e.name) (expected \(e.codeList))")
                }
                codes.append(code)
            }
            return .success(codes.isEmpty ? nil : .text(codes.joined(separator: ";")))
        case .referenceList:
            if isCanonicalList(s) { return .success(.text(s)) }
            let items = listItems(s)
            if items.isEmpty {
                return field.required
                    ? .failure(FieldProblem(field: field.name, reason: "is required but empty")) : .success(nil)
            }
            return .success(.text(items.joined(separator: ";")))
        case .idNumber:
            if let why = IDNumber.problem(t) { return fail("is not a valid 公民身份号码: \(why)") }
            return .success(.text(IDNumber.canonical(t)))
        }
    }

    /// The items of a `;` list, trimmed, empty items dropped.
    public static func listItems(_ s: String) -> [String] {
        var items: [String] = []
        forEachListItem(s) { items.append($0) }
        return items
    }

    /// Calls `body` with each item of a `;` list, trimmed, empty items skipped: `listItems` without
    /// building the array (the importer checks every id of every list).
    public static func forEachListItem(_ s: String, _ body: (String) -> Void) {
        var start = s.utf8.startIndex
        let end = s.utf8.endIndex
        while start < end {
            let stop = s.utf8[start...].firstIndex(of: UInt8(ascii: ";")) ?? end
            if stop > start {
                let item = String(s[start..<stop]).trimmingSpaces
                if !item.isEmpty { body(item) }
            }
            start = stop < end ? s.utf8.index(after: stop) : end
        }
    }

    /// Whether a `;` list is written canonically already (items joined by `;`, none empty, none with
    /// surrounding spaces): then its canonical form is the cell itself.
    static func isCanonicalList(_ s: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: ";")
        for b in s.utf8 {
            if b <= 0x20 || b >= 0x80 { return false }  // (spaces to trim, or characters to look at closer)
            if b == UInt8(ascii: ";") && previous == UInt8(ascii: ";") { return false }
            previous = b
        }
        return previous != UInt8(ascii: ";")
    }

    /// The canonical interchange spelling of a stored value (what `export` writes).
    public static func format(_ v: StoredValue?, as type: FieldType) -> String {
        guard let v else { return "" }
        switch (type, v) {
        case (.time, .int(let s)): return Instant(seconds: s).cstString
        case (.bool, .int(let i)): return i == 0 ? "0" : "1"
        case (.number, _): return formatNumber(v.real ?? 0)
        case (_, .text(let s)): return s
        case (_, .int(let i)): return String(i)
        case (_, .real(let d)): return formatNumber(d)
        }
    }

    public static func formatNumber(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    static func quoted(_ s: String) -> String {
        let shown = s.count > 60 ? String(s.prefix(60)) + "…" : s
        return "\"\(shown)\""
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public var trimmingSpaces: String {
        // Fast path: nothing to trim when the first and last characters are visible ASCII or CJK
        // ideographs (U+4E00–U+9FFF, led by bytes E4–E9; no whitespace is).
        let plain = utf8.withContiguousStorageIfAvailable { u -> Bool in
            guard let f = u.first, let l = u.last else { return false }
            let firstPlain = (f > 0x20 && f < 0x80) || (f >= 0xE4 && f <= 0xE9)
            let lastPlain = (l > 0x20 && l < 0x80) || (u.count >= 3 && u[u.count - 3] >= 0xE4 && u[u.count - 3] <= 0xE9)
            return firstPlain && lastPlain
        }
        if plain == true { return self }
        if isEmpty { return self }
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        if first == startIndex && last == index(before: endIndex) { return self }
        return String(self[first...last])
    }
}

/// 64-bit FNV-1a, used as a stable content hash of a canonical record (so a re-import of an
/// unchanged record writes nothing) and of ids.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}
    public mutating func add(_ s: String) {
        var s = s
        var v = value
        s.withUTF8 { bytes in
            for b in bytes {
                v ^= UInt64(b)
                v = v &* 0x0000_0100_0000_01b3
            }
        }
        value = v
    }
    public mutating func add(word: UInt64) {
        var w = word
        for _ in 0..<8 {
            add(byte: UInt8(truncatingIfNeeded: w))
            w >>= 8
        }
    }
    public mutating func add(byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }
    public static func hash(_ s: String) -> UInt64 {
        var h = FNV1a()
        h.add(s)
        return h.value
    }
}
