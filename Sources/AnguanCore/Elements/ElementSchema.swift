/// The fields of one element exactly as `interchange.md` lists them.
public struct ElementSchema: Sendable {
    public let kind: ElementKind
    /// The id field (first field).
    public let idField: String
    public let fields: [Field]
    private let index: [String: Int]

    init(_ kind: ElementKind, _ fields: [Field]) {
        self.kind = kind
        self.fields = fields
        self.idField = fields[0].name
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() { index[f.name] = i }
        self.index = index
    }

    /// Position of a field by name.
    public func position(of name: String) -> Int? { index[name] }

    public func field(_ name: String) -> Field? { index[name].map { fields[$0] } }

    /// Fields whose cells name records of other elements.
    public var references: [(position: Int, target: ElementKind, list: Bool)] {
        fields.enumerated().compactMap { i, f in
            switch f.type {
            case .reference(let t): (i, t, false)
            case .referenceList(let t): (i, t, true)
            default: nil
            }
        }
    }

    public static func of(_ kind: ElementKind) -> ElementSchema { byOrdinal[kind.ordinal] }

    /// Indexed by `ElementKind.ordinal`: rules read fields by name millions of times a patrol.
    private static let byOrdinal: [ElementSchema] = ElementKind.allCases.map { k in definitions.first { $0.kind == k }! }

    private typealias E = Enumerations

    private static let definitions: [ElementSchema] = [
        ElementSchema(.units, [
            Field("unit_id", .text, required: true, label: "单位编号"),
            Field("name", .text, required: true, label: "单位名称"),
            Field("kind", .enumeration(E.unitKind), required: true, label: "单位类别"),
            Field("parent_id", .reference(.units), label: "上级单位"),
        ]),
        ElementSchema(.officers, [
            Field("officer_id", .text, required: true, label: "警号"),
            Field("name", .text, required: true, label: "姓名"),
            Field("unit_id", .reference(.units), required: true, label: "所在单位"),
            Field("roles", .enumerationList(E.officerRole), label: "角色"),
            Field("lead_qualified_until", .date, label: "主办民警资格有效期"),
        ]),
        ElementSchema(.incidents, [
            Field("incident_id", .text, required: true, label: "警情编号"),
            Field("received_at", .time, required: true, label: "接警时间"),
            Field("source", .enumeration(E.incidentSource), required: true, label: "警情来源"),
            Field("category", .enumeration(E.incidentCategory), required: true, label: "警情类别"),
            Field("unit_id", .reference(.units), required: true, label: "处警单位"),
            Field("officer_id", .reference(.officers), label: "处警民警"),
            Field("address", .text, label: "发案地址"),
            Field("lng", .number, label: "经度"),
            Field("lat", .number, label: "纬度"),
            Field("summary", .text, label: "简要警情"),
            Field("disposition", .enumeration(E.disposition), label: "处置结果"),
            Field("case_id", .reference(.cases), label: "受案编号"),
            Field("disposed_at", .time, label: "处置完毕时间"),
        ]),
        ElementSchema(.cases, [
            Field("case_id", .text, required: true, label: "案件编号"),
            Field("case_type", .enumeration(E.caseType), required: true, label: "案件类型"),
            Field("cause", .text, required: true, label: "案由"),
            Field("incident_id", .reference(.incidents), label: "警情编号"),
            Field("unit_id", .reference(.units), required: true, label: "办案单位"),
            Field("lead_officer_id", .reference(.officers), label: "主办民警"),
            Field("accepted_at", .time, required: true, label: "受案时间"),
            Field("filing_decision", .enumeration(E.filingDecision), label: "立案决定"),
            Field("filed_at", .time, label: "立案/不予立案决定时间"),
            Field("status", .enumeration(E.caseStatus), required: true, label: "案件状态"),
            Field("review_extension", .enumeration(E.reviewExtension), label: "延长受案审查"),
            Field("complex", .bool, label: "重大复杂"),
            Field("extended_until", .time, label: "延长办案期限至"),
            Field("max_sentence_years", .number, label: "可能判处的最高刑期(年)"),
            Field("plea", .bool, label: "认罪认罚"),
            Field("fast_track", .bool, label: "适用速裁程序"),
            Field("injury_level", .enumeration(E.injuryLevel), label: "伤情"),
            Field("transferred_at", .time, label: "移送审查起诉时间"),
            Field("prosecuted_at", .time, label: "提起公诉时间"),
            Field("judged_at", .time, label: "判决时间"),
            Field("closed_at", .time, label: "结案时间"),
        ]),
        ElementSchema(.persons, [
            Field("person_id", .text, required: true, label: "人员编号"),
            Field("case_id", .reference(.cases), required: true, label: "案件编号"),
            Field("role", .enumeration(E.personRole), required: true, label: "人员类别"),
            Field("name", .text, required: true, label: "姓名"),
            Field("id_number", .idNumber, label: "公民身份号码"),
            Field("gender", .enumeration(E.gender), label: "性别"),
            Field("birth_date", .date, label: "出生日期"),
            Field("captured_at", .time, label: "抓获/到案时间"),
        ]),
        ElementSchema(.measures, [
            Field("measure_id", .text, required: true, label: "措施编号"),
            Field("case_id", .reference(.cases), required: true, label: "案件编号"),
            Field("person_id", .reference(.persons), required: true, label: "人员编号"),
            Field("kind", .enumeration(E.measureKind), required: true, label: "措施种类"),
            Field("started_at", .time, required: true, label: "执行/开始时间"),
            Field("ended_at", .time, label: "解除/变更/届满时间"),
            Field("extension", .enumeration(E.measureExtension), label: "批准延长"),
            Field("complex", .bool, label: "案情重大复杂"),
            Field("custody_at", .time, label: "送押时间"),
            Field("family_notified_at", .time, label: "通知家属时间"),
            Field("outcome", .enumerationOrText(E.measureOutcome), label: "结果"),
        ]),
        ElementSchema(.property, [
            Field("property_id", .text, required: true, label: "财物编号"),
            Field("case_id", .reference(.cases), required: true, label: "案件编号"),
            Field("name", .text, required: true, label: "财物名称"),
            Field("category", .enumeration(E.propertyCategory), label: "财物类别"),
            Field("quantity", .number, label: "数量"),
            Field("value_cny", .number, label: "估值(元)"),
            Field("seized_at", .time, required: true, label: "扣押/查封/调取时间"),
            Field("handed_over_at", .time, label: "移交保管时间"),
            Field("storage", .text, label: "保管场所"),
            Field("status", .enumeration(E.propertyStatus), label: "财物状态"),
            Field("disposed_at", .time, label: "处置时间"),
        ]),
        ElementSchema(.transcripts, [
            Field("transcript_id", .text, required: true, label: "笔录编号"),
            Field("case_id", .reference(.cases), required: true, label: "案件编号"),
            Field("person_id", .reference(.persons), label: "被讯(询)问人"),
            Field("kind", .enumeration(E.transcriptKind), required: true, label: "笔录种类"),
            Field("started_at", .time, required: true, label: "开始时间"),
            Field("ended_at", .time, required: true, label: "结束时间"),
            Field("officer_ids", .referenceList(.officers), required: true, label: "在场民警"),
            Field("location", .text, label: "地点"),
            Field("av_recorded", .bool, label: "同步录音录像"),
            Field("guardian_present", .bool, label: "监护人或合适成年人到场"),
            Field("text", .text, label: "笔录内容"),
        ]),
        ElementSchema(.venueVisits, [
            Field("visit_id", .text, required: true, label: "入区编号"),
            Field("person_id", .reference(.persons), required: true, label: "人员编号"),
            Field("case_id", .reference(.cases), label: "案件编号"),
            Field("entered_at", .time, required: true, label: "入区时间"),
            Field("left_at", .time, label: "出区时间"),
            Field("security_check_at", .time, label: "人身安全检查时间"),
            Field("info_collected_at", .time, label: "信息采集时间"),
            Field("health_check_at", .time, label: "健康检查时间"),
            Field("left_to", .enumeration(E.leftTo), label: "离区去向"),
        ]),
        ElementSchema(.appraisals, [
            Field("appraisal_id", .text, required: true, label: "鉴定编号"),
            Field("case_id", .reference(.cases), required: true, label: "案件编号"),
            Field("person_id", .reference(.persons), label: "人员编号"),
            Field("kind", .enumeration(E.appraisalKind), required: true, label: "鉴定种类"),
            Field("commissioned_at", .time, required: true, label: "委托时间"),
            Field("completed_at", .time, label: "完成时间"),
            Field("result", .text, label: "鉴定意见"),
        ]),
        ElementSchema(.coordination, [
            Field("push_id", .text, required: true, label: "推送编号"),
            Field("case_id", .reference(.cases), required: true, label: "案件编号"),
            Field("kind", .enumeration(E.coordinationKind), required: true, label: "推送类别"),
            Field("from_org", .enumeration(E.organisation), required: true, label: "推送方"),
            Field("to_org", .enumeration(E.organisation), required: true, label: "接收方"),
            Field("pushed_at", .time, required: true, label: "推送时间"),
            Field("received_at", .time, label: "接收时间"),
            Field("result", .enumerationOrText(E.coordinationResult), label: "结果"),
            Field("result_at", .time, label: "结果时间"),
        ]),
    ]
}
