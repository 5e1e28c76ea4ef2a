/// Where a problem came from (问题汇聚): the daily patrol, or a check made by people elsewhere.
public enum ProblemSource: String, Sendable, CaseIterable, Codable {
    case patrol
    case inspection
    case specialPatrol = "special_patrol"
    case reviewLitigation = "review_litigation"
    case publicOpinion = "public_opinion"
    case healthCheck = "health_check"

    public var label: String {
        switch self {
        case .patrol: "日巡查"
        case .inspection: "上级执法检查"
        case .specialPatrol: "专项执法巡查"
        case .reviewLitigation: "复议诉讼"
        case .publicOpinion: "民意监测核查"
        case .healthCheck: "体检式检查"
        }
    }

    /// The sources a person registers by hand.
    public static var manual: [ProblemSource] { allCases.filter { $0 != .patrol } }
}
