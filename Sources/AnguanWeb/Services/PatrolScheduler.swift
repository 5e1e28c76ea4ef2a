import AnguanCore
import AnguanStore
import Logging
import Metrics
import ServiceLifecycle

/// Runs the daily patrol (日巡查) inside the server: at start-up, every day at the configured
/// China time (default 06:00), and after every committed import it notices. Each run is recorded
/// in `patrol_runs` and counted in `/metrics`.
public struct PatrolScheduler: Service {
    public let store: Store
    /// The catalog is read before each run, so a rule changed on the web applies to the next patrol.
    public let rules: RuleSettings
    public let calendar: HolidayCalendar
    /// Minutes after CST midnight at which the daily patrol runs.
    public let dailyAtMinute: Int
    public let logger: Logger
    /// How often new imports (and overdue rectifications) are looked for.
    public let pollInterval: Duration
    /// Called after a run that changed problems (the web layer forgets cached figures).
    public let onChange: (@Sendable () -> Void)?

    public init(store: Store, rules: RuleSettings, calendar: HolidayCalendar, dailyAtMinute: Int = 6 * 60,
                logger: Logger, pollInterval: Duration = .seconds(30), onChange: (@Sendable () -> Void)? = nil) {
        self.store = store
        self.rules = rules
        self.onChange = onChange
        self.calendar = calendar
        self.dailyAtMinute = dailyAtMinute
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// The next daily run after `now`.
    public static func nextDailyRun(after now: Instant, atMinute: Int) -> Instant {
        let today = Instant(cst: now.cstDate, hour: atMinute / 60, minute: atMinute % 60)
        return today > now ? today : Instant(cst: now.cstDate.adding(days: 1), hour: atMinute / 60, minute: atMinute % 60)
    }

    public func run() async throws {
        // Shutdown cancels the loop at once, also in the middle of a sleep.
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    func loop() async throws {
        var lastImport = try await latestImport()
        try? await patrol(reason: "start-up")
        var nextDaily = Self.nextDailyRun(after: Self.now(), atMinute: dailyAtMinute)
        while !(Task.isCancelled || Task.isShuttingDownGracefully) {
            try? await Task.sleep(for: pollInterval)
            if (Task.isCancelled || Task.isShuttingDownGracefully) { break }
            let now = Self.now()
            await escalate(now)
            if now >= nextDaily {
                try? await patrol(reason: "daily \(nextDaily.cstMinuteString)")
                nextDaily = Self.nextDailyRun(after: now, atMinute: dailyAtMinute)
                continue
            }
            if let latest = try? await latestImport(), latest != lastImport {
                lastImport = latest
                try? await patrol(reason: "after import run \(latest)")
            }
        }
    }

    /// 督办: overdue rectifications are escalated as soon as the deadline passes.
    func escalate(_ now: Instant) async {
        do {
            let n = try await ProblemDesk(store: store, calendar: calendar).escalate(now: now)
            if n > 0 {
                logger.info("escalated \(n) overdue rectifications (督办)")
                onChange?()
            }
        } catch {
            logger.error("escalation failed: \(String(reflecting: error))")
        }
    }

    static func now() -> Instant { Instant(seconds: Int64(clock_seconds())) }

    func latestImport() async throws -> Int64 {
        try await store.read { db in
            try await db.raw("SELECT COALESCE(MAX(id), 0) AS n FROM import_runs WHERE outcome = 'committed'").first()!
                .decode(column: "n", as: Int64.self)
        }
    }

    func patrol(reason: String) async throws {
        let start = ContinuousClock.now
        do {
            let catalog = try await rules.catalog()
            let s = try await PatrolRunner(store: store, catalog: catalog, calendar: calendar).run(now: Self.now())
            onChange?()
            Counter(label: "anguan_patrol_runs_total", dimensions: [("outcome", "finished")]).increment()
            Gauge(label: "anguan_patrol_findings").record(s.findingCount)
            Gauge(label: "anguan_patrol_last_run_timestamp_seconds").record(Int(Self.now().seconds))
            Timer(label: "anguan_patrol_duration_seconds", preferredDisplayUnit: .seconds).recordInterval(since: start)
            logger.info("patrol run \(s.runId) (\(reason)): \(s.findingCount) findings, \(s.opened) new, \(s.persisting) still open, \(s.gone) gone")
        } catch {
            Counter(label: "anguan_patrol_runs_total", dimensions: [("outcome", "failed")]).increment()
            logger.error("patrol (\(reason)) failed: \(String(reflecting: error))")
            throw error
        }
    }
}
