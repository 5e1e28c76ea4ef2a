/// The rectification deadline (整改期限) and escalation (督办) of a problem pushed to a unit.
public enum Rectification {
    /// The default rectification period: three working days.
    public static let defaultWorkdays = 3

    /// The deadline `workdays` working days after the push: the day of the push is not counted, rest
    /// days and official holidays are skipped and 调休 working days count; the deadline is 24:00 of the
    /// last working day. Fails when the calendar does not cover a year it needs.
    public static func deadline(pushedAt: Instant, workdays: Int = defaultWorkdays, calendar: HolidayCalendar)
        -> Result<Instant, HolidayCalendar.Uncovered>
    {
        var day = pushedAt.cstDate
        var left = max(1, workdays)
        while left > 0 {
            day = day.adding(days: 1)
            guard let work = calendar.isWorkday(day) else { return .failure(.init(year: day.year)) }
            if work { left -= 1 }
        }
        return .success(Instant(cst: day.adding(days: 1)))
    }

    /// How far a problem is escalated: 0 none, 1 督办 to the unit head once the deadline has passed,
    /// 2 督办 to the branch leader once it is more than `leaderAfterWorkdays` working days overdue.
    public static func escalation(due: Instant?, now: Instant, leaderAfterWorkdays: Int = 3, calendar: HolidayCalendar) -> Int {
        guard let due, now >= due else { return 0 }
        let second = (try? deadline(pushedAt: due.adding(minutes: -1), workdays: leaderAfterWorkdays, calendar: calendar).get())
            ?? due.adding(hours: Int64(24 * leaderAfterWorkdays))
        return now >= second ? 2 : 1
    }

    public static func escalationLabel(_ level: Int) -> String? {
        switch level {
        case 1: "督办（所队长）"
        case 2: "督办（分局领导）"
        default: nil
        }
    }
}
