import AnguanCore
import AnguanStore
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The page templates (swift-mustache, `Templates/*.mustache`), rendered with the signed-in user,
/// the navigation of their role and the CSRF token that every form carries.
struct Templates: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> Templates {
        guard let dir = Bundle.module.resourceURL?.appendingPathComponent("Templates").path else {
            throw AppError.notFound("templates resource")
        }
        return Templates(library: try await MustacheLibrary(directory: dir))
    }

    /// The navigation of a role: (path, label).
    static func navigation(for actor: Actor?) -> [[String: Any]] {
        guard let actor else { return [] }
        var items: [(String, String)] = []
        if Permission.seeProblems.isGranted(to: actor.role) {
            items += [("/", "工作台"), ("/problems", "问题列表")]
        }
        items.append(("/cases", "案件"))
        if Permission.reviewWorklists.isGranted(to: actor.role) { items.append(("/worklists", "每日巡查清单")) }
        if Permission.seeProblems.isGranted(to: actor.role) { items += [("/rules", "规则"), ("/overview", "执法要素")] }
        if Permission.administer.isGranted(to: actor.role) { items += [("/admin/users", "用户"), ("/admin/units", "单位"), ("/audit", "审计日志")] }
        return items.map { ["href": $0.0, "label": $0.1] }
    }

    /// Menu entries name lists, where English says the plural.
    static let navigationEnglish = ["案件": "Cases", "规则": "Rules", "单位": "Units", "用户": "Users", "执法要素": "Records"]

    /// Renders a page; `data` is completed with the user, navigation and CSRF token.
    func render(_ name: String, _ data: [String: Any], context: AppContext) -> String {
        let lang = context.language
        var d = lang.translate(data) as? [String: Any] ?? data
        if let a = context.actor {
            d["user"] = ["name": a.name, "login": a.login, "role": lang.text(a.role.label)]
            d["nav"] = Self.navigation(for: a).map { item in
                let zh = item["label"] as? String ?? ""
                return item.merging(["label": lang == .en ? Self.navigationEnglish[zh] ?? lang.text(zh) : zh]) { $1 }
            }
        }
        d["csrf"] = context.csrf ?? ""
        d["t"] = lang.templateStrings
        d["htmlLang"] = lang.htmlLang
        let back = context.currentPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F"
        d["otherLanguage"] = lang == .zh ? ["href": "/lang/en?next=\(back)", "label": "English"] : ["href": "/lang/zh?next=\(back)", "label": "中文"]
        return library.render(d, withTemplate: name) ?? "<!DOCTYPE html><p>模板 \(name) 缺失</p>"
    }

    func response(_ name: String, _ data: [String: Any], context: AppContext, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: render(name, data, context: context))))
    }
}

/// Formatting shared by the pages.
enum Fmt {
    static func time(_ i: Instant?) -> String { i?.cstMinuteString ?? "" }

    /// A finding's fact `element.field = value` with the element's and field's Chinese names.
    static func fact(_ f: String) -> String {
        guard let eq = f.range(of: " = "), let dot = f[..<eq.lowerBound].firstIndex(of: "."),
              let kind = ElementKind(rawValue: String(f[..<dot])),
              let field = kind.schema.field(String(f[f.index(after: dot)..<eq.lowerBound])) else { return f }
        return "\(kind.label)·\(field.label)：\(f[eq.upperBound...])"
    }

    static func severityClass(_ s: Severity) -> String { "sev-\(s.rawValue)" }

    static func stateClass(_ s: ProblemState) -> String { "st-\(s.rawValue)" }

    /// A problem as a template row.
    static func row(_ p: ProblemDesk.Summary, now: Instant) -> [String: Any] {
        let due = p.currentDue
        var r: [String: Any] = [
            "id": p.id, "ruleId": p.ruleId, "ruleName": p.ruleName, "severity": p.severity.label,
            "severityClass": severityClass(p.severity), "state": p.state.label, "stateClass": stateClass(p.state),
            "finding": FindingKind(rawValue: p.finding)?.label ?? p.finding, "unit": p.unitName ?? p.unitId ?? "",
            "officer": p.officerName ?? p.officerId ?? "", "caseId": p.caseId ?? "", "source": p.source.label,
            "firstSeen": time(p.firstSeenAt), "due": time(due), "dueLabel": p.rectifyDueAt != nil ? "整改期限" : "法定期限",
        ]
        // Every key is set (false when it does not apply): a key missing from a row is looked up in the
        // enclosing contexts, which costs more than the row itself.
        r["overdue"] = p.isOverdue(at: now)
        if let label = p.escalationLabel {
            r["escalation"] = label
        } else {
            r["escalation"] = false
        }
        return r
    }

    /// The problem list's table rows, built in Swift: the list is the busiest page, and looking up a
    /// dozen keys per row through the template's context stack cost more than the rest of the request.
    static func rowsHTML(_ items: [ProblemDesk.Summary], now: Instant, language lang: Language) -> String {
        var out = ""
        out.reserveCapacity(items.count * 700)
        for p in items {
            let e = HTML.escape
            let overdue = p.isOverdue(at: now)
            out += "<tr><td><a href=\"/problems/\(p.id)\">\(p.id)</a></td><td>\(e(lang.text(p.source.label)))</td><td>\(e(p.ruleId)) \(e(p.ruleName))</td>"
            out += "<td><span class=\"tag \(severityClass(p.severity))\">\(e(lang.text(p.severity.label)))</span></td>"
            out += "<td><span class=\"tag \(stateClass(p.state))\">\(e(lang.text(p.state.label)))</span>"
            if let label = p.escalationLabel {
                out += " <span class=\"tag esc\">\(e(lang.text(label)))</span>"
            }
            out += "</td><td>\(e(p.unitName ?? p.unitId ?? ""))</td><td>\(e(p.officerName ?? p.officerId ?? ""))</td><td>"
            if let c = p.caseId { out += "<a href=\"/cases/\(e(c))\">\(e(c))</a>" }
            out += "</td><td" + (overdue ? " class=\"overdue\"" : "") + ">\(time(p.currentDue))</td><td>\(time(p.firstSeenAt))</td></tr>\n"
        }
        return out
    }

    /// `<option>` elements, rendered once in Swift rather than looped in the template.
    static func options(_ items: [(value: String, label: String)], selected: String?, language: Language = .zh) -> String {
        var out = ""
        for i in items {
            out += "<option value=\"\(HTML.escape(i.value))\"" + (i.value == selected ? " selected" : "") + ">"
                + "\(HTML.escape(language.text(i.label)))</option>"
        }
        return out
    }
}
