/// The common judgement of every rule with a limit: a step that must come within a period of a
/// start. A step exactly at the limit is on time; only a later one is late. Without the step,
/// the finding is `overdue` once "now" is past the deadline and `warning` inside the
/// pre-warning window before it.
public struct DeadlineCheck: Sendable {
    public let kind: FindingKind
    public let due: Instant
    public let explanation: String

    /// - Parameters:
    ///   - stepLabel: what the step is, in Chinese (e.g. 送押).
    ///   - inCustody: the person is deprived of liberty, so the holiday rule never applies.
    public static func evaluate(start: Instant, step: Instant?, stepLabel: String, period: Period, warn: Period?,
                                holidays: HolidayPolicy?, inCustody: Bool = false,
                                context: PatrolContext) -> DeadlineCheck? {
        let nominal = PeriodMath.nominalEnd(start: start, period: period)
        let calendarMatters = period.unit == .days || period.unit == .months
        // A step before the nominal last day needs no calendar (rules.md, periods 7).
        if let step {
            let lastDayStart = calendarMatters ? nominal.adding(seconds: -86_400) : nominal
            if step <= lastDayStart { return nil }
        } else {
            let warnSeconds = warn?.windowSeconds ?? 0
            if context.now.seconds < nominal.seconds - warnSeconds { return nil }
        }
        var note = ""
        let deadline: Deadline
        switch PeriodMath.deadline(start: start, period: period, holidays: holidays ?? .no, inCustody: inCustody,
                                   calendar: context.calendar) {
        case .success(let d): deadline = d
        case .failure(let u):
            deadline = Deadline(start: start, period: period, nominalEnd: nominal, due: nominal, moved: nil,
                                notMovedReason: nil)
            note = "；节假日日历未覆盖 \(u.year) 年，届满日是否为节假日无法判断，按不顺延计算，请人工核对"
        }
        var basis = deadline.explanation + note
        if period.unit == .hours || period.unit == .minutes {
            basis += "（按到案时刻起算的从严理解，最高检规则第83条）"
        }
        let due = deadline.due
        if let step {
            guard step > due else { return nil }
            return DeadlineCheck(kind: .overdue, due: due,
                                 explanation: "\(basis)；\(stepLabel)时间 \(step.cstMinuteString)，超出期限 \(Self.span(step.seconds - due.seconds))")
        }
        if context.now > due {
            return DeadlineCheck(kind: .overdue, due: due,
                                 explanation: "\(basis)；截至巡查时间 \(context.now.cstMinuteString) 尚无\(stepLabel)记录，已超出 \(Self.span(context.now.seconds - due.seconds))")
        }
        if let warn {
            let windowStart = Instant(seconds: due.seconds - warn.windowSeconds)
            if context.now >= windowStart {
                return DeadlineCheck(kind: .warning, due: due,
                                     explanation: "\(basis)；尚无\(stepLabel)记录，距期限届满还有 \(Self.span(due.seconds - context.now.seconds))（预警期 \(warn.chinese)）")
            }
        }
        return nil
    }

    /// A duration in Chinese: 2天3小时15分钟.
    public static func span(_ seconds: Int64) -> String {
        let m = max(0, seconds) / 60
        let d = m / 1440, h = (m % 1440) / 60, mi = m % 60
        var s = ""
        if d > 0 { s += "\(d)天" }
        if h > 0 { s += "\(h)小时" }
        if mi > 0 || s.isEmpty { s += "\(mi)分钟" }
        return s
    }
}
