import AnguanCore
import Foundation
import Testing

/// The shipped calendar (a copy of ../shared/data/cn-holidays.csv).
let calendar: HolidayCalendar = try! HolidayCalendar.shipped()

func t(_ s: String) -> Instant { Instant.parse(s)! }
func d(_ s: String) -> CivilDate { CivilDate.parse(s)! }

@Suite("Computing periods (rules.md)")
struct PeriodTests {
    @Test func hoursAreToTheMinute() {
        #expect(PeriodMath.nominalEnd(start: t("2026-03-01 10:17"), period: Period(24, .hours)) == t("2026-03-02 10:17"))
        #expect(PeriodMath.nominalEnd(start: t("2026-03-01 10:17"), period: Period(30, .minutes)) == t("2026-03-01 10:47"))
    }

    @Test func hourPeriodsNeverMove() throws {
        // Ends on 2026-10-01 (国庆节): an hour period does not move.
        let dl = try PeriodMath.deadline(start: t("2026-09-30 10:00"), period: Period(24, .hours), holidays: .extend,
                                         calendar: calendar).get()
        #expect(dl.due == t("2026-10-01 10:00"))
        #expect(dl.moved == nil)
    }

    @Test func daysDoNotCountTheStartDay() throws {
        // "A 3-day period that starts on 2026-03-01 10:00 ends at 2026-03-04 24:00."
        let dl = try PeriodMath.deadline(start: t("2026-03-01 10:00"), period: Period(3, .days), holidays: .extend,
                                         calendar: calendar).get()
        #expect(dl.due == t("2026-03-05 00:00"))
        #expect(dl.explanation.contains("届满 2026-03-04 24:00"))
    }

    @Test(arguments: [
        ("2026-01-10 09:00", 2, "2026-03-11 00:00"),  // 2026-03-10 24:00
        ("2026-01-31 09:00", 2, "2026-04-01 00:00"),  // 2026-03-31 24:00
        ("2026-02-28 09:00", 1, "2026-04-01 00:00"),  // 2026-03-31 24:00
        ("2026-04-30 09:00", 1, "2026-06-01 00:00"),  // 2026-05-31 24:00
        ("2026-03-31 09:00", 1, "2026-05-01 00:00"),  // no 04-31: 2026-04-30 24:00
        ("2024-01-29 09:00", 1, "2024-03-01 00:00"),  // leap year: 2024-02-29 24:00
        ("2026-01-10 09:00", 5, "2026-06-11 00:00"),  // 2 m + 3m in one step
    ])
    func monthsEndOnTheCorrespondingDay(_ start: String, _ months: Int, _ end: String) {
        #expect(PeriodMath.nominalEnd(start: t(start), period: Period(months, .months)) == t(end))
    }

    @Test func lastDayOnAHolidayMovesToTheNextWorkingDay() throws {
        // 3 d from 2026-09-28: last day 2026-10-01 (国庆节) → first working day 2026-10-08.
        let dl = try PeriodMath.deadline(start: t("2026-09-28 15:00"), period: Period(3, .days), holidays: .extend,
                                         calendar: calendar).get()
        #expect(dl.nominalEnd == t("2026-10-02 00:00"))
        #expect(dl.due == t("2026-10-09 00:00"))
        #expect(dl.moved?.from == d("2026-10-01"))
        #expect(dl.moved?.to == d("2026-10-08"))
        #expect(dl.explanation.contains("国庆节假期"))
    }

    @Test func lastDayOnAWeekendMovesToMonday() throws {
        // 1 m from 2026-04-30: last day 2026-05-31, a Sunday → Monday 2026-06-01.
        let dl = try PeriodMath.deadline(start: t("2026-04-30 09:00"), period: Period(1, .months), holidays: .extend,
                                         calendar: calendar).get()
        #expect(dl.due == t("2026-06-02 00:00"))
        #expect(dl.moved?.reason == "周日")
    }

    @Test func anAdjustedWorkingSaturdayIsAWorkingDay() throws {
        // 3 d from 2026-10-07: last day Saturday 2026-10-10, a 调休 working day: no move.
        let dl = try PeriodMath.deadline(start: t("2026-10-07 09:00"), period: Period(3, .days), holidays: .extend,
                                         calendar: calendar).get()
        #expect(dl.due == t("2026-10-11 00:00"))
        #expect(dl.moved == nil)
        #expect(calendar.isWorkday(d("2026-02-14")) == true)  // 春节调休 Saturday
        #expect(calendar.isWorkday(d("2026-02-15")) == false)
    }

    @Test func inCustodyThePeriodNeverMoves() throws {
        let dl = try PeriodMath.deadline(start: t("2026-09-28 15:00"), period: Period(3, .days), holidays: .extend,
                                         inCustody: true, calendar: calendar).get()
        #expect(dl.due == t("2026-10-02 00:00"))
        #expect(dl.moved == nil)
        #expect(dl.notMovedReason?.contains("在押") == true)
        let no = try PeriodMath.deadline(start: t("2026-09-28 15:00"), period: Period(3, .days), holidays: .no,
                                         calendar: calendar).get()
        #expect(no.due == t("2026-10-02 00:00"))
    }

    @Test func aYearTheCalendarDoesNotCoverIsNeverAWorkday() {
        #expect(calendar.isWorkday(d("2027-03-03")) == nil)
        #expect(calendar.isWorkday(d("2019-03-04")) == nil)
        let r = PeriodMath.deadline(start: t("2026-12-30 09:00"), period: Period(3, .days), holidays: .extend,
                                    calendar: calendar)
        #expect(r == .failure(HolidayCalendar.Uncovered(year: 2027)))
        // A period that ends inside a covered year needs nothing more.
        #expect((try? PeriodMath.deadline(start: t("2026-12-20 09:00"), period: Period(3, .days), holidays: .extend,
                                          calendar: calendar).get()) != nil)
    }

    @Test func calendarRejectsBadLines() {
        #expect(throws: HolidayCalendar.LoadError.self) { try HolidayCalendar(csv: "date,kind,name\n2026-02-30,holiday,x\n") }
        #expect(throws: HolidayCalendar.LoadError.self) { try HolidayCalendar(csv: "2026-02-03,party,x\n") }
    }

    @Test(arguments: [
        ("2008-05-10", "2026-05-10", 17),  // on the 18th birthday: still 17
        ("2008-05-10", "2026-05-11", 18),  // from the day after: 18
        ("2008-05-10", "2026-05-09", 17),
        ("2012-02-29", "2026-02-28", 13),  // leap-day birthday counts on 28 February
        ("2012-02-29", "2026-03-01", 14),
        ("1956-01-01", "2026-01-02", 70),
    ])
    func ageCountsFromTheDayAfterTheBirthday(_ birth: String, _ on: String, _ age: Int) {
        #expect(Age.years(birth: d(birth), on: d(on)) == age)
    }
}
