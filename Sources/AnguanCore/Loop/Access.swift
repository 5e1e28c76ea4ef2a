/// Who a signed-in person is, as the closed loop sees them: a role, a unit and (for an officer)
/// the 警号 they answer for.
public struct Actor: Sendable, Equatable {
    public let userId: Int64
    public let login: String
    public let name: String
    public let role: Role
    /// The user's unit; nil for branch-level staff without one.
    public let unitId: String?
    /// The officer record (警号) a 民警 answers for.
    public let officerId: String?
    /// What the user may see.
    public let scope: Scope

    public init(userId: Int64, login: String, name: String, role: Role, unitId: String?, officerId: String?, scope: Scope) {
        self.userId = userId
        self.login = login
        self.name = name
        self.role = role
        self.unitId = unitId
        self.officerId = officerId
        self.scope = scope
    }
}

/// The part of the branch a user may see: all of it, or one unit.
public enum Scope: Sendable, Equatable {
    case branch
    case unit(String)

    /// The scope of a role in a unit of a kind (`bureau`, `station`, `brigade`, `legal`, `center`, `other`).
    /// 案管民警, 管理员 and 检察官 see the branch; a 法制员 of the 法制大队, 案管中心 or 分局 (or of no unit) too,
    /// a 法制员 of a station or brigade only that unit; 所队长 and 民警 their own unit.
    public static func of(role: Role, unitId: String?, unitKind: String?) -> Scope {
        switch role {
        case .supervisor, .admin, .prosecutor, .patrol: return .branch
        case .legalOfficer:
            guard let unitId, let unitKind, !["bureau", "legal", "center"].contains(unitKind) else { return .branch }
            return .unit(unitId)
        case .unitHead, .officer:
            guard let unitId else { return .unit("") }
            return .unit(unitId)
        }
    }

    /// Whether a record of `unitId` is inside the scope.
    public func contains(unitId: String?) -> Bool {
        switch self {
        case .branch: true
        case .unit(let u): unitId == u
        }
    }
}

/// What each role may do besides moving problems through the loop.
public enum Permission: Sendable {
    /// See problems, the dashboard and scores (not the procuratorate: no internal scoring).
    case seeProblems
    /// Register a problem found elsewhere (问题汇聚) and comment during verification (核查会商).
    case registerProblems
    /// Mark daily worklist items 已查.
    case reviewWorklists
    /// Users, units and the rule catalog.
    case administer
    /// Ingest records through the API.
    case ingest

    public func isGranted(to role: Role) -> Bool {
        switch self {
        case .seeProblems: role != .prosecutor
        case .registerProblems, .reviewWorklists: [.supervisor, .legalOfficer].contains(role)
        case .administer: role == .admin
        case .ingest: [.admin, .supervisor].contains(role)
        }
    }
}

extension Actor {
    /// Whether the actor may act on a problem of `unitId` answered for by `officerId`: inside the scope,
    /// and for a 民警 only where they are the officer responsible.
    public func mayAct(onProblemOf unitId: String?, officerId: String?) -> Bool {
        guard scope.contains(unitId: unitId) else { return false }
        if role == .officer { return officerId != nil && officerId == self.officerId }
        return role != .prosecutor && role != .admin
    }
}
