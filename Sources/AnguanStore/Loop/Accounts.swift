import AnguanCore
import HummingbirdBcrypt
import SQLKit

/// Users, their sessions and API tokens. Passwords are stored as bcrypt hashes; session and API tokens
/// only as SHA-256 hashes, so a copy of the database lets no one sign in.
public struct Accounts: Sendable {
    public let store: Store
    /// The bcrypt cost (tests use a low one to stay fast).
    public let cost: UInt8

    public init(store: Store, cost: UInt8 = 11) {
        self.store = store
        self.cost = cost
    }

    public struct User: Sendable, Equatable {
        public let id: Int64
        public let login: String
        public let name: String
        public let role: Role
        public let unitId: String?
        public let officerId: String?
        public let disabled: Bool
    }

    static let userColumns = "u.id, u.login, u.name, u.role, u.unit_id, u.officer_id, u.disabled"

    static func user(_ r: any SQLRow) throws -> User {
        User(id: try r.decode(column: "id", as: Int64.self), login: try r.decode(column: "login", as: String.self),
             name: try r.decode(column: "name", as: String.self),
             role: Role(rawValue: try r.decode(column: "role", as: String.self)) ?? .officer,
             unitId: try r.decode(column: "unit_id", as: String?.self), officerId: try r.decode(column: "officer_id", as: String?.self),
             disabled: try r.decode(column: "disabled", as: Int64.self) != 0)
    }

    /// Checks a login and password rule: letters, digits, `._-`, 2–32 characters.
    public static func validate(login: String) throws {
        let ok = (2...32).contains(login.count) && login.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        if !ok { throw LoopError.invalid(field: "login", reason: "登录名须为 2–32 位字母、数字或 ._-") }
    }

    public static func validate(password: String) throws {
        if password.count < 8 { throw LoopError.invalid(field: "password", reason: "密码至少 8 位") }
        if password.utf8.count > 72 { throw LoopError.invalid(field: "password", reason: "密码不能超过 72 字节") }
    }

    /// Adds a user. The unit and officer must exist; a 所队长 or 民警 needs a unit.
    @discardableResult
    public func add(login: String, name: String, role: Role, unitId: String?, officerId: String? = nil, password: String,
                    by actor: String) async throws -> User {
        try Self.validate(login: login)
        try Self.validate(password: password)
        guard role != .patrol else { throw LoopError.invalid(field: "role", reason: "日巡查不是用户角色") }
        let name = name.trimmingSpaces
        if name.isEmpty { throw LoopError.invalid(field: "name", reason: "姓名不能为空") }
        if [.unitHead, .officer].contains(role), unitId == nil {
            throw LoopError.invalid(field: "unit", reason: "\(role.label)须指定所属单位")
        }
        let hash = Bcrypt.hash(password, cost: cost)
        let now = Int64(clock_seconds())
        return try await store.write { s in
            let db = s.sql
            if let unitId, try await db.raw("SELECT 1 AS x FROM el_units WHERE unit_id = \(bind: unitId)").first() == nil {
                throw LoopError.invalid(field: "unit", reason: "单位 \(unitId) 不存在")
            }
            if let officerId, try await db.raw("SELECT 1 AS x FROM el_officers WHERE officer_id = \(bind: officerId)").first() == nil {
                throw LoopError.invalid(field: "officer", reason: "警号 \(officerId) 不存在")
            }
            if try await db.raw("SELECT 1 AS x FROM users WHERE login = \(bind: login)").first() != nil {
                throw LoopError.conflict("登录名 \(login) 已存在")
            }
            let id = try await s.nextId(of: "users")
            try await db.raw("""
                INSERT INTO users (id, login, name, role, unit_id, officer_id, password_hash, disabled, created_at, updated_at)
                VALUES (\(bind: id), \(bind: login), \(bind: name), \(bind: role.rawValue), \(bind: unitId), \(bind: officerId),
                        \(bind: hash), 0, \(bind: now), \(bind: now))
                """).run()
            try await AuditLog.append(s, actor: actor, action: "user.add", object: "user:\(login)",
                                      detail: "name=\(name) role=\(role.rawValue) unit=\(unitId ?? "") officer=\(officerId ?? "")")
            return User(id: id, login: login, name: name, role: role, unitId: unitId, officerId: officerId, disabled: false)
        }
    }

    /// The id of a user by login, or not found.
    static func userId(_ login: String, _ s: Session) async throws -> Int64 {
        guard let u = try await s.sql.raw("SELECT id FROM users WHERE login = \(bind: login)").first() else {
            throw LoopError.notFound("用户 \(login) ")
        }
        return try u.decode(column: "id", as: Int64.self)
    }

    /// Sets a new password and ends the user's sessions.
    public func setPassword(login: String, password: String, by actor: String) async throws {
        try Self.validate(password: password)
        let hash = Bcrypt.hash(password, cost: cost)
        try await store.write { s in
            let id = try await Self.userId(login, s)
            try await s.sql.raw("UPDATE users SET password_hash = \(bind: hash), updated_at = \(bind: Int64(clock_seconds())) WHERE id = \(bind: id)").run()
            try await s.sql.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run()
            try await AuditLog.append(s, actor: actor, action: "user.passwd", object: "user:\(login)", detail: "password changed")
        }
    }

    /// Disables (or re-enables) a user; disabling ends their sessions and revokes their API tokens.
    public func setDisabled(login: String, _ disabled: Bool, by actor: String) async throws {
        try await store.write { s in
            let id = try await Self.userId(login, s)
            try await s.sql.raw("UPDATE users SET disabled = \(bind: disabled ? 1 : 0), updated_at = \(bind: Int64(clock_seconds())) WHERE id = \(bind: id)").run()
            if disabled {
                try await s.sql.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run()
                try await s.sql.raw("UPDATE api_tokens SET revoked = 1 WHERE user_id = \(bind: id)").run()
            }
            try await AuditLog.append(s, actor: actor, action: disabled ? "user.disable" : "user.enable", object: "user:\(login)", detail: "")
        }
    }

    public func list() async throws -> [User] {
        try await store.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users u ORDER BY u.login").all().map(Self.user)
        }
    }

    public func count() async throws -> Int {
        try await store.read { db in try await db.raw("SELECT COUNT(*) AS n FROM users").first()!.decode(column: "n", as: Int.self) }
    }

    /// The actor a user acts as: role, unit and the scope that follows from the unit's kind.
    public func actor(userId: Int64) async throws -> Actor? {
        try await store.read { db in
            guard let r = try await db.raw("""
                SELECT \(unsafeRaw: Self.userColumns), un.kind AS unit_kind FROM users u
                LEFT JOIN el_units un ON un.unit_id = u.unit_id WHERE u.id = \(bind: userId)
                """).first() else { return nil }
            let u = try Self.user(r)
            if u.disabled { return nil }
            return Actor(userId: u.id, login: u.login, name: u.name, role: u.role, unitId: u.unitId, officerId: u.officerId,
                         scope: Scope.of(role: u.role, unitId: u.unitId, unitKind: try r.decode(column: "unit_kind", as: String?.self)))
        }
    }

    /// Checks a login and password; the user's id when they match an enabled user. Every attempt is audited.
    public func authenticate(login: String, password: String, from address: String,
                             at: Instant = Instant(seconds: Int64(clock_seconds()))) async throws -> Int64? {
        let row = try await store.read { db in
            try await db.raw("SELECT id, password_hash, disabled FROM users WHERE login = \(bind: login)").first()
        }
        var id: Int64?
        if let row, try row.decode(column: "disabled", as: Int64.self) == 0,
           Bcrypt.verify(password, hash: try row.decode(column: "password_hash", as: String.self)) {
            id = try row.decode(column: "id", as: Int64.self)
        }
        _ = try await store.write { [id] s in
            try await AuditLog.append(s, actor: login, action: id == nil ? "login.failed" : "login", object: "user:\(login)",
                                      detail: "from \(address)", at: at)
        }
        return id
    }

    // MARK: Sessions and API tokens

    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let s = String(g.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    static func digest(_ token: String) -> String { AuditChain.sha256Hex(token) }

    public struct NewSession: Sendable {
        public let token: String
        public let csrf: String
    }

    /// Opens a session for a user: the token goes into the cookie, only its hash into the database.
    public func openSession(userId: Int64, at: Int64 = Int64(clock_seconds())) async throws -> NewSession {
        let token = Self.randomToken(), csrf = Self.randomToken()
        try await store.write { s in
            try await s.sql.raw("""
                INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at)
                VALUES (\(bind: Self.digest(token)), \(bind: userId), \(bind: csrf), \(bind: at), \(bind: at))
                """).run()
        }
        return NewSession(token: token, csrf: csrf)
    }

    public struct SessionInfo: Sendable {
        public let userId: Int64
        public let csrf: String
        public let lastSeenAt: Int64
        public let tokenHash: String

        public init(userId: Int64, csrf: String, lastSeenAt: Int64, tokenHash: String) {
            self.userId = userId
            self.csrf = csrf
            self.lastSeenAt = lastSeenAt
            self.tokenHash = tokenHash
        }
    }

    public func session(token: String) async throws -> SessionInfo? {
        let h = Self.digest(token)
        return try await store.read { db in
            guard let r = try await db.raw("SELECT user_id, csrf, last_seen_at FROM sessions WHERE token_hash = \(bind: h)").first() else {
                return nil
            }
            return SessionInfo(userId: try r.decode(column: "user_id", as: Int64.self), csrf: try r.decode(column: "csrf", as: String.self),
                               lastSeenAt: try r.decode(column: "last_seen_at", as: Int64.self), tokenHash: h)
        }
    }

    public func touch(tokenHash: String, at: Int64) async throws {
        try await store.write { s in
            try await s.sql.raw("UPDATE sessions SET last_seen_at = \(bind: at) WHERE token_hash = \(bind: tokenHash)").run()
        }
    }

    public func closeSession(tokenHash: String) async throws {
        try await store.write { s in try await s.sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run() }
    }

    /// Creates an API token for machine access; the token is shown once.
    public func createToken(login: String, name: String, by actor: String) async throws -> String {
        let token = "ag_" + Self.randomToken()
        try await store.write { s in
            guard let u = try await s.sql.raw("SELECT id FROM users WHERE login = \(bind: login) AND disabled = 0").first() else {
                throw LoopError.notFound("用户 \(login) ")
            }
            try await s.sql.raw("""
                INSERT INTO api_tokens (token_hash, user_id, name, created_at, revoked)
                VALUES (\(bind: Self.digest(token)), \(bind: try u.decode(column: "id", as: Int64.self)), \(bind: name), \(bind: Int64(clock_seconds())), 0)
                """).run()
            try await AuditLog.append(s, actor: actor, action: "token.create", object: "user:\(login)", detail: "token \(name)")
        }
        return token
    }

    /// The user an API token belongs to.
    public func tokenUser(_ token: String) async throws -> Int64? {
        let h = Self.digest(token)
        return try await store.read { db in
            try await db.raw("SELECT user_id FROM api_tokens WHERE token_hash = \(bind: h) AND revoked = 0").first()?
                .decode(column: "user_id", as: Int64.self)
        }
    }
}
