/// A legal period (期间), counted as `rules.md` "Computing periods" says.
public struct Period: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable {
        case minutes = "min", hours = "h", days = "d", months = "m"
    }

    public let amount: Int
    public let unit: Unit

    public init(_ amount: Int, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `30min`, `24h`, `3d`, `2m`.
    public init?(parsing s: String) {
        let t = s.trimmingSpaces
        for unit in [Unit.minutes, .hours, .days, .months] where t.hasSuffix(unit.rawValue) {
            guard let n = Int(t.dropLast(unit.rawValue.count)), n >= 0 else { return nil }
            self.init(n, unit)
            return
        }
        return nil
    }

    public var description: String { "\(amount)\(unit.rawValue)" }

    /// The length of a pre-warning window (a month counted as 30 days).
    public var windowSeconds: Int64 {
        switch unit {
        case .minutes: Int64(amount) * 60
        case .hours: Int64(amount) * 3600
        case .days: Int64(amount) * 86_400
        case .months: Int64(amount) * 30 * 86_400
        }
    }

    /// Chinese, e.g. 24小时, 3日, 2个月.
    public var chinese: String {
        switch unit {
        case .minutes: "\(amount)分钟"
        case .hours: "\(amount)小时"
        case .days: "\(amount)日"
        case .months: "\(amount)个月"
        }
    }
}

/// How a period treats a last day that is a rest day or holiday.
public enum HolidayPolicy: String, Sendable, Hashable {
    /// The period ends on the next working day (CPL 105(2)).
    case extend
    /// The period never moves (the person is in custody, or the rule says no).
    case no
}

/// A computed deadline with everything a 法制员 needs to check it by hand.
public struct Deadline: Sendable, Equatable {
    public let start: Instant
    public let period: Period
    /// The end before any holiday move.
    public let nominalEnd: Instant
    /// The deadline: a step at or before it is on time.
    public let due: Instant
    /// The holiday move applied, if any.
    public let moved: Move?
    /// Why the end did not move although its last day is a rest day (in custody, or the rule).
    public let notMovedReason: String?

    public struct Move: Sendable, Equatable {
        public let from: CivilDate
        public let to: CivilDate
        public let reason: String
    }

    /// The period explanation in Chinese, as findings show it.
    public var explanation: String {
        var s = "起算 \(start.cstMinuteString)，期间 \(period.chinese)"
        switch period.unit {
        case .minutes, .hours:
            s += "（按小时计算，自到案时刻起算，期满时刻 \(nominalEnd.cstMinuteString)）"
        case .days:
            s += "（开始之日不计算在期间以内），届满 \(Deadline.endOfDay(nominalEnd))"
        case .months:
            s += "（按月计算，至对应日；无对应日或起算日为月末的，至该月末日），届满 \(Deadline.endOfDay(nominalEnd))"
        }
        if let m = moved {
            s += "；届满日 \(m.from) 为\(m.reason)，顺延至 \(m.to) 24:00"
        } else if let r = notMovedReason {
            s += "；\(r)"
        }
        return s
    }

    /// `YYYY-MM-DD 24:00` for an instant at CST midnight (the end of the previous day).
    static func endOfDay(_ t: Instant) -> String {
        guard t.cstSecondOfDay == 0 else { return t.cstMinuteString }
        return "\(t.cstDate.adding(days: -1)) 24:00"
    }
}

/// The arithmetic of legal periods. Pure: the calendar is passed in.
public enum PeriodMath {
    /// The date `months` months after `d`: the same day, or the last day of the target month when
    /// `d` is the last day of its month or the day does not exist there (最高法刑诉解释 202).
    public static func addMonths(_ d: CivilDate, _ months: Int) -> CivilDate {
        let total = d.year * 12 + (d.month - 1) + months
        let y = total / 12, m = total % 12 + 1
        let last = CivilDate.daysIn(year: y, month: m)
        let isMonthEnd = d.day == CivilDate.daysIn(year: d.year, month: d.month)
        return CivilDate(year: y, month: m, day: isMonthEnd ? last : min(d.day, last))!
    }

    /// The nominal end of a period started at `start` (before any holiday move).
    /// Hours and minutes: to the minute. Days: the start day is not counted, the period ends at
    /// 24:00 of the Nth day after. Months: 24:00 of the corresponding day.
    public static func nominalEnd(start: Instant, period: Period) -> Instant {
        switch period.unit {
        case .minutes: return start.adding(minutes: Int64(period.amount))
        case .hours: return start.adding(hours: Int64(period.amount))
        case .days:
            let last = start.cstDate.adding(days: period.amount)
            return Instant(cst: last.adding(days: 1))
        case .months:
            let last = addMonths(start.cstDate, period.amount)
            return Instant(cst: last.adding(days: 1))
        }
    }

    /// The deadline of a period, with the holiday rule applied where the policy allows.
    /// Returns `.failure` when the last day falls in a year the calendar does not cover.
    public static func deadline(start: Instant, period: Period, holidays: HolidayPolicy, inCustody: Bool = false,
                                calendar: HolidayCalendar) -> Result<Deadline, HolidayCalendar.Uncovered> {
        let nominal = nominalEnd(start: start, period: period)
        guard period.unit == .days || period.unit == .months else {
            return .success(Deadline(start: start, period: period, nominalEnd: nominal, due: nominal, moved: nil,
                                     notMovedReason: nil))
        }
        let lastDay = nominal.cstDate.adding(days: -1)
        guard let isWork = calendar.isWorkday(lastDay) else { return .failure(.init(year: lastDay.year)) }
        if isWork {
            return .success(Deadline(start: start, period: period, nominalEnd: nominal, due: nominal, moved: nil,
                                     notMovedReason: nil))
        }
        let reason = calendar.restReason(lastDay)
        if inCustody || holidays == .no {
            let why = inCustody
                ? "届满日 \(lastDay) 为\(reason)，但在押/被限制人身自由期间不因节假日延长（刑诉法105条）"
                : "届满日 \(lastDay) 为\(reason)，本规则期间不因节假日顺延"
            return .success(Deadline(start: start, period: period, nominalEnd: nominal, due: nominal, moved: nil,
                                     notMovedReason: why))
        }
        switch calendar.firstWorkday(onOrAfter: lastDay) {
        case .failure(let u): return .failure(u)
        case .success(let day):
            return .success(Deadline(start: start, period: period, nominalEnd: nominal,
                                     due: Instant(cst: day.adding(days: 1)),
                                     moved: .init(from: lastDay, to: day, reason: reason), notMovedReason: nil))
        }
    }
}

/// Age in whole years (周岁).
public enum Age {
    /// A person is N years old from the day after their Nth birthday; on the birthday itself they
    /// are still N−1. A 29 February birthday falls on 28 February in other years.
    public static func years(birth: CivilDate, on date: CivilDate) -> Int {
        var n = date.year - birth.year
        let birthday = CivilDate(year: date.year, month: birth.month, day: birth.day)
            ?? CivilDate(year: date.year, month: 2, day: 28)!
        if !(birthday < date) { n -= 1 }
        return max(0, n)
    }
}
