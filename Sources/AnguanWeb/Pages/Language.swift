import AnguanCore

/// The language of the pages: Chinese first, English as the second locale (chosen with the
/// 中文 / English switch in the header, kept in the `lang` cookie). The legal texts — rule names'
/// basis, explanations, facts — and everything users wrote stay as written.
public enum Language: String, Sendable, CaseIterable {
    case zh, en

    var htmlLang: String { self == .zh ? "zh-CN" : "en" }

    /// A Chinese page string in this language (itself when there is no translation).
    func text(_ zh: String) -> String {
        self == .zh ? zh : (Self.englishTable[zh] ?? zh)
    }

    /// English for the pages' own strings, then for the codes of the interchange format: an element,
    /// field or enumeration label reads as its code (`measures`, `started_at`, `detention`).
    static let englishTable: [String: String] = {
        var t: [String: String] = [:]
        for k in ElementKind.allCases {
            t[k.label] = k.rawValue
            for f in k.schema.fields {
                if t[f.label] == nil { t[f.label] = f.name }
                switch f.type {
                case .enumeration(let e), .enumerationOrText(let e), .enumerationList(let e):
                    for c in e.cases where t[c.label] == nil { t[c.label] = c.code.replacingOccurrences(of: "_", with: " ") }
                default: break
                }
            }
        }
        for (zh, en) in PageStrings.english { t[zh] = en }
        return t
    }()

    /// The templates' `t` dictionary in this language.
    var templateStrings: [String: String] { self == .zh ? Self.zhStrings : Self.enStrings }
    private static let zhStrings = PageStrings.templateKeys
    private static let enStrings = PageStrings.templateKeys.mapValues { englishTable[$0] ?? $0 }

    /// Keys of page data whose values are labels (translated); every other value is data and stays.
    static let labelKeys: Set<String> = ["label", "state", "severity", "finding", "source", "action", "role", "kind", "type",
                                         "status", "title", "what", "element", "from", "to", "dueLabel", "escalation", "scope",
                                         "error", "message", "actor"]

    /// Translates the label values of page data, recursively.
    func translate(_ value: Any, key: String? = nil) -> Any {
        guard self != .zh else { return value }
        switch value {
        case let s as String: return key.map { Self.labelKeys.contains($0) } == true ? text(s) : s
        case let d as [String: Any]:
            var out: [String: Any] = [:]
            for (k, v) in d { out[k] = translate(v, key: k) }
            return out
        case let a as [[String: Any]]: return a.map { translate($0) }
        case let a as [[String: String]]: return a.map { translate($0 as [String: Any]) }
        case let a as [Any]: return a.map { translate($0, key: key) }
        default: return value
        }
    }
}
