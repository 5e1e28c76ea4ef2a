/// A closed set of codes, each with exactly one Chinese label (the term the law uses).
///
/// The interchange format accepts a value by its code or by its label; storage and export
/// always use the code. A class: a field's type carries it, and the importer copies field types
/// by the million.
public final class Enumeration: Sendable, Hashable {
    /// A short English name for messages, e.g. `measure kind`.
    public let name: String
    /// The codes in catalogue order, each with its Chinese label.
    public let cases: [(code: String, label: String)]
    private let lookup: [String: String]

    public init(_ name: String, _ cases: [(String, String)], aliases: [String: String] = [:]) {
        self.name = name
        self.cases = cases.map { (code: $0.0, label: $0.1) }
        var lookup: [String: String] = [:]
        for (code, label) in cases {
            lookup[code] = code
            lookup[label] = code
        }
        for (alias, code) in aliases { lookup[alias] = code }
        self.lookup = lookup
    }

    /// The code for a code or label as written in a source file, or nil when it is neither.
    public func code(for spelling: String) -> String? { lookup[spelling] }

    /// The Chinese label of a code.
    public func label(of code: String) -> String? { cases.first { $0.code == code }?.label }

    /// The accepted codes, for error messages.
    public var codeList: String { cases.map(\.code).joined(separator: ", ") }

    public static func == (lhs: Enumeration, rhs: Enumeration) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The enumerations of `interchange.md`, with the labels it lists.
public enum Enumerations {
    public static let unitKind = Enumeration("unit kind", [
        ("bureau", "分局"), ("station", "派出所"), ("brigade", "大队"), ("legal", "法制大队"),
        ("center", "案管中心"), ("other", "其他"),
    ], aliases: ["警种": "brigade", "执法办案中心": "center"])

    public static let officerRole = Enumeration("officer role", [
        ("lead", "主办民警"), ("legal_officer", "法制员"), ("reviewer", "案审民警"),
        ("supervisor", "案管民警"), ("auxiliary", "辅警"),
    ])

    public static let incidentSource = Enumeration("incident source", [
        ("110", "110报警"), ("walk_in", "来所报案"), ("phone", "电话报警(非110)"), ("online", "网上报警"),
        ("transfer", "移送"), ("other", "其他"),
    ], aliases: ["电话报警": "phone", "电话报警（非110）": "phone"])

    public static let incidentCategory = Enumeration("incident category", [
        ("criminal", "刑事"), ("public_order", "治安"), ("dispute", "纠纷"), ("economic", "经济"),
        ("traffic", "交通"), ("assistance", "求助"), ("fire", "火灾"), ("other", "其他"),
    ])

    public static let disposition = Enumeration("disposition", [
        ("case_opened", "已受案"), ("mediated", "调解处理"), ("no_offence", "无违法犯罪事实"),
        ("transferred", "移交其他部门"), ("pending", "处置中"),
    ])

    public static let caseType = Enumeration("case type", [
        ("criminal", "刑事"), ("administrative", "行政"),
    ], aliases: ["治安": "administrative", "行政(治安)": "administrative", "行政（治安）": "administrative"])

    public static let filingDecision = Enumeration("filing decision", [
        ("filed", "立案"), ("not_filed", "不予立案"), ("pending", "审查中"),
    ])

    public static let caseStatus = Enumeration("case status", [
        ("handling", "办理中"), ("transferred", "移送审查起诉"), ("prosecuted", "已起诉"),
        ("judged", "已判决"), ("closed", "结案"), ("withdrawn", "撤案"), ("suspended", "中止"),
    ], aliases: ["侦查中": "handling", "处罚决定": "closed"])

    public static let reviewExtension = Enumeration("review extension", [
        ("3d", "三日"), ("7d", "七日"), ("30d", "三十日"),
    ])

    public static let injuryLevel = Enumeration("injury level", [
        ("none", "无"), ("minor", "轻微伤"), ("light", "轻伤"), ("serious", "重伤"), ("death", "死亡"),
    ])

    public static let personRole = Enumeration("person role", [
        ("suspect", "犯罪嫌疑人"), ("offender", "违法行为人"), ("victim", "被害人"), ("witness", "证人"),
        ("other", "其他"),
    ])

    public static let gender = Enumeration("gender", [("M", "男"), ("F", "女")])

    public static let measureKind = Enumeration("measure kind", [
        ("summons", "传唤"), ("compelled", "拘传"), ("detention", "刑事拘留"), ("arrest_request", "提请批准逮捕"),
        ("arrest", "逮捕"), ("bail", "取保候审"), ("surveillance", "监视居住"),
        ("designated_surveillance", "指定居所监视居住"), ("admin_summons", "治安传唤"),
        ("admin_detention", "行政拘留"), ("questioning_hold", "继续盘问"),
    ])

    public static let measureExtension = Enumeration("measure extension", [
        ("7d", "延长至七日"), ("30d", "延长至三十日"), ("1m", "延长一个月"), ("3m", "延长三个月"),
        ("5m", "延长五个月"), ("12h", "延长至十二小时"), ("24h", "延长至二十四小时"), ("48h", "延长至四十八小时"),
    ])

    public static let propertyCategory = Enumeration("property category", [
        ("cash", "现金"), ("vehicle", "车辆"), ("electronic", "电子设备"), ("document", "文书证件"),
        ("drug", "毒品"), ("weapon", "管制器具/枪支"), ("valuables", "贵重物品"), ("other", "其他"),
    ], aliases: ["管制器具": "weapon", "枪支": "weapon"])

    public static let propertyStatus = Enumeration("property status", [
        ("held", "办案人员持有"), ("in_store", "在库"), ("with_case", "随案移送"), ("returned", "发还"),
        ("confiscated", "没收"), ("destroyed", "销毁"), ("other", "其他"),
    ])

    public static let transcriptKind = Enumeration("transcript kind", [
        ("interrogation", "讯问"), ("inquiry", "询问"), ("identification", "辨认"), ("inspection", "勘验检查"),
        ("other", "其他"),
    ])

    public static let leftTo = Enumeration("left to", [
        ("released", "离开"), ("detention_house", "送看守所/拘留所"), ("hospital", "医院"), ("other", "其他"),
    ], aliases: ["送看守所": "detention_house", "送拘留所": "detention_house"])

    public static let appraisalKind = Enumeration("appraisal kind", [
        ("injury", "伤情"), ("price", "价格认定"), ("drug", "毒品检验"), ("forensic", "其他司法鉴定"),
        ("other", "其他"),
    ])

    public static let coordinationKind = Enumeration("coordination kind", [
        ("arrest_request", "提请批准逮捕"), ("prosecution_transfer", "移送审查起诉"),
        ("supplementary_investigation", "退回补充侦查"), ("fast_track", "速裁案件移送"),
        ("supervision_notice", "侦查监督意见/纠正违法通知"), ("other", "其他"),
    ], aliases: ["侦查监督意见": "supervision_notice", "纠正违法通知": "supervision_notice"])

    public static let organisation = Enumeration("organisation", [
        ("police", "公安机关"), ("procuratorate", "检察院"), ("court", "法院"),
    ], aliases: ["公安": "police", "人民检察院": "procuratorate", "人民法院": "court"])

    /// `measures.outcome`: `approved`/`rejected` by code or label; any other text is kept as written.
    public static let measureOutcome = Enumeration("outcome", [("approved", "批准"), ("rejected", "不批准")])

    /// `coordination.result`: free text or one of these codes.
    public static let coordinationResult = Enumeration("result", [
        ("approved", "批准"), ("rejected", "不批准"), ("accepted", "受理"), ("returned", "退回"),
    ])
}
