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

    /// Still in the loop (not 已办结, not found 不属实).
    public var isOpen: Bool { self != .closed && self != .falsePositive }

    /// States in which the patrol still follows the problem (a finding that disappears sends it
    /// to re-check).
    public var isFollowedByPatrol: Bool { ![.recheck, .closed, .falsePositive].contains(self) }
}

/// Who acts on a problem.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// 案管民警: the whole branch.
    case supervisor
    /// 法制员: verifies findings.
    case legalOfficer = "legal_officer"
    /// 所队长: head of a 派出所 or brigade.
    case unitHead = "unit_head"
    /// 民警: the officer responsible.
    case officer
    /// 检察官: read-only.
    case prosecutor
    /// 管理员.
    case admin
    /// The daily patrol itself.
    case patrol

    public var label: String {
        switch self {
        case .supervisor: "案管民警"
        case .legalOfficer: "法制员"
        case .unitHead: "所队长"
        case .officer: "民警"
        case .prosecutor: "检察官"
        case .admin: "管理员"
        case .patrol: "日巡查"
        }
    }
}

/// What can be done to a problem in the closed loop.
public enum ProblemAction: String, Sendable, CaseIterable, Codable {
    case verify, confirm, dismiss, push, answer, review, close, sendBack = "send_back", findingGone = "finding_gone",
         findingReappeared = "finding_reappeared",
         escalate

    public var label: String {
        switch self {
        case .verify: "开始核查"
        case .confirm: "核查属实"
        case .dismiss: "核查不属实"
        case .push: "推送整改"
        case .answer: "整改反馈"
        case .review: "复核"
        case .close: "办结"
        case .sendBack: "退回整改"
        case .findingGone: "巡查未再发现"
        case .findingReappeared: "巡查再次发现"
        case .escalate: "督办"
        }
    }
}

/// Why a transition was refused.
public enum TransitionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case notFromState(ProblemAction, ProblemState)
    case notForRole(ProblemAction, Role)
    case reasonRequired(ProblemAction)
    case deadlineRequired

    public var description: String {
        switch self {
        case .notFromState(let a, let s): "问题处于「\(s.label)」状态，不能\(a.label)"
        case .notForRole(let a, let r): "\(r.label)无权\(a.label)"
        case .reasonRequired(let a): "\(a.label)须填写理由"
        case .deadlineRequired: "推送整改须指定整改期限"
        }
    }
}

/// The closed loop as one function: state × role × action → the new state, or a typed refusal.
/// 预警 → 核查中 → 属实 / 不属实 → 整改中 → 已反馈 → 复核 → 已办结, or 退回整改 back to 整改中;
/// the patrol sends a problem whose finding is gone to 复核, and back to 预警 if it reappears.
public enum ProblemStateMachine {
    static let verifiers: Set<Role> = [.supervisor, .legalOfficer]

    public static func transition(from state: ProblemState, action: ProblemAction, by role: Role, comment: String? = nil,
                                  deadline: Instant? = nil) -> Result<ProblemState, TransitionRefusal> {
        let hasComment = !(comment ?? "").trimmingSpaces.isEmpty
        func need(_ roles: Set<Role>, _ from: Set<ProblemState>, _ to: ProblemState) -> Result<ProblemState, TransitionRefusal> {
            guard roles.contains(role) else { return .failure(.notForRole(action, role)) }
            guard from.contains(state) else { return .failure(.notFromState(action, state)) }
            return .success(to)
        }
        switch action {
        case .verify: return need(verifiers, [.warned], .verifying)
        case .confirm: return need(verifiers, [.verifying], .confirmed)
        case .dismiss:
            // A false positive needs its reason: it feeds the rule's measured precision.
            guard hasComment else { return .failure(.reasonRequired(action)) }
            return need(verifiers, [.verifying], .falsePositive)
        case .push:
            guard deadline != nil else { return .failure(.deadlineRequired) }
            return need(verifiers, [.confirmed], .rectifying)
        case .answer:
            guard hasComment else { return .failure(.reasonRequired(action)) }
            return need([.unitHead, .officer], [.rectifying], .answered)
        case .review: return need(verifiers, [.answered], .recheck)
        case .close: return need([.supervisor], [.recheck], .closed)
        case .sendBack:
            guard hasComment else { return .failure(.reasonRequired(action)) }
            return need([.supervisor], [.recheck], .rectifying)
        case .findingGone:
            guard role == .patrol else { return .failure(.notForRole(action, role)) }
            guard state.isFollowedByPatrol else { return .failure(.notFromState(action, state)) }
            return .success(.recheck)
        case .findingReappeared: return need([.patrol], [.recheck], .warned)
        // 督办 raises the alarm on an overdue rectification; the problem stays 整改中.
        case .escalate: return need([.patrol], [.rectifying], .rectifying)
        }
    }
}
