import AnguanCore
import AnguanWeb
import Testing

@Suite("Patrol scheduler")
struct SchedulerTests {
    @Test func dailyRunIsAtSixChinaTime() {
        let at = 6 * 60
        #expect(PatrolScheduler.nextDailyRun(after: Instant.parse("2026-03-02 05:59")!, atMinute: at) == Instant.parse("2026-03-02 06:00")!)
        #expect(PatrolScheduler.nextDailyRun(after: Instant.parse("2026-03-02 06:00")!, atMinute: at) == Instant.parse("2026-03-03 06:00")!)
        #expect(PatrolScheduler.nextDailyRun(after: Instant.parse("2026-03-02T21:30:00Z")!, atMinute: at) == Instant.parse("2026-03-03 06:00")!)
    }
}
