/// The states of a problem in the closed loop (预警 → 核查 → 整改 → 反馈 → 复核 → 办结).
public enum ProblemState: String, Sendable, CaseIterable {
    case warned, verifying, confirmed, falsePositive = "false_positive", rectifying, answered, recheck, closed

    public var label: String {
        switch self {
        case .warned: "预警"
        case .verifying: "核查中"
        case .confirmed: "属实"
        case .falsePositive: "不属实"
        case .rectifying: "整改中"
        case .answered: "已反馈"
        case .recheck: "复核"
        case .closed: "已办结"
        }
    }

    /// States in which the patrol still follows the problem (a finding that disappears sends it
    /// to re-check).
    public var isFollowedByPatrol: Bool { ![.recheck, .closed, .falsePositive].contains(self) }
}
