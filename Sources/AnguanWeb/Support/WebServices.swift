import AnguanCore
import AnguanStore
import Foundation
import Logging

/// Options of the web platform (configuration keys `http.*` and `session.*`).
public struct WebOptions: Sendable {
    /// Sessions end after this long without a request (`session.timeout_minutes`, default 8 h).
    public var sessionTimeoutSeconds: Int64 = 8 * 3600
    /// Mark cookies Secure (`http.secure_cookies`: set when served behind TLS).
    public var secureCookies = false
    /// Failed logins allowed per login or address within 15 minutes.
    public var maxLoginFailures = 5
    /// How long dashboard figures are served from memory.
    public var dashboardCacheSeconds = 5
    public init() {}
}

/// What the controllers need, built once and passed in: the store and the closed-loop services over
/// it, the calendar, the templates, the clock and the caches.
public struct WebServices: Sendable {
    public let store: Store
    public let calendar: HolidayCalendar
    public let accounts: Accounts
    public let desk: ProblemDesk
    public let worklists: Worklists
    public let rules: RuleSettings
    public let cases: CaseFiles
    public let options: WebOptions
    /// The clock (tests pass a fixed one).
    public let now: @Sendable () -> Instant
    let templates: Templates
    let limiter: LoginLimiter
    let sessionCache = TTLCache<String, Accounts.SessionInfo>(ttl: .seconds(5))
    let actorCache = TTLCache<Int64, Actor>(ttl: .seconds(5))
    let dashboardCache: TTLCache<String, Dashboard>
    let worklistCache: TTLCache<String, [Worklists.Kind: Int]>

    public init(store: Store, calendar: HolidayCalendar, rules: RuleSettings? = nil,
                options: WebOptions = WebOptions(), bcryptCost: UInt8 = 11,
                now: @escaping @Sendable () -> Instant = { Instant(seconds: Int64(clock_seconds())) }) async throws {
        self.store = store
        self.calendar = calendar
        self.accounts = Accounts(store: store, cost: bcryptCost)
        self.desk = ProblemDesk(store: store, calendar: calendar)
        self.worklists = Worklists(store: store)
        self.rules = rules ?? RuleSettings(store: store)
        self.cases = CaseFiles(store: store)
        self.options = options
        self.now = now
        self.templates = try await Templates.load()
        self.limiter = LoginLimiter(maxFailures: options.maxLoginFailures)
        self.dashboardCache = TTLCache(ttl: .seconds(Int64(options.dashboardCacheSeconds)))
        self.worklistCache = TTLCache(ttl: .seconds(Int64(options.dashboardCacheSeconds)))
    }

    /// The actor of a user id (cached a few seconds), nil for an unknown or disabled user.
    func actor(_ userId: Int64) async throws -> Actor? {
        if let a = actorCache.get(userId) { return a }
        guard let a = try await accounts.actor(userId: userId) else { return nil }
        actorCache.set(userId, a)
        return a
    }

    /// Forgets cached figures after a write, so the writer sees it at once.
    public func changed() {
        dashboardCache.removeAll()
        worklistCache.removeAll()
    }
}
