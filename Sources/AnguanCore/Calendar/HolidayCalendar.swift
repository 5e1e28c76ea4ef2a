/// China's official holiday arrangement (国务院办公厅关于节假日安排的通知), with the adjusted
/// working days (调休). Loaded from data (`cn-holidays.csv`), so a branch updates it each year.
///
/// A date in a year the data does not cover is never silently a working day: `isWorkday`
/// answers nil for it, and every deadline that needs it says so.
public struct HolidayCalendar: Sendable {
    public enum Kind: String, Sendable { case holiday, workday }

    /// Official days off and adjusted working days, by date.
    public let days: [CivilDate: (kind: Kind, name: String)]
    /// The years the data covers.
    public let years: Set<Int>

    public init(days: [CivilDate: (kind: Kind, name: String)], years: Set<Int>) {
        self.days = days
        self.years = years
    }

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let line: Int
        public let reason: String
        public var description: String { "holiday calendar line \(line): \(reason)" }
    }

    /// Parses the `date,kind,name` CSV (comment lines start with `#`).
    public init(csv: String) throws {
        var days: [CivilDate: (kind: Kind, name: String)] = [:]
        var years = Set<Int>()
        for (i, raw) in csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: "\r ")
            if line.isEmpty || line.hasPrefix("#") || line == "date,kind,name" { continue }
            let parts = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else { throw LoadError(line: i + 1, reason: "expected date,kind,name") }
            guard let date = CivilDate.parse(parts[0]) else {
                throw LoadError(line: i + 1, reason: "\"\(parts[0])\" is not a date")
            }
            guard let kind = Kind(rawValue: parts[1]) else {
                throw LoadError(line: i + 1, reason: "kind \"\(parts[1])\" is neither holiday nor workday")
            }
            days[date] = (kind, parts.count > 2 ? parts[2] : "")
            years.insert(date.year)
        }
        self.init(days: days, years: years)
    }

    /// Whether the date is a working day; nil when the calendar does not cover its year.
    public func isWorkday(_ d: CivilDate) -> Bool? {
        guard years.contains(d.year) else { return nil }
        if let entry = days[d] { return entry.kind == .workday }
        return !d.isWeekend
    }

    /// Why a date is not a working day, in Chinese (e.g. 国庆节假期, 周六).
    public func restReason(_ d: CivilDate) -> String {
        if let entry = days[d], entry.kind == .holiday { return "\(entry.name)假期" }
        return d.weekdayIndex == 5 ? "周六" : "周日"
    }

    /// The first working day on or after the date; `.uncovered(year)` when it runs into a year
    /// the calendar does not cover.
    public func firstWorkday(onOrAfter d: CivilDate) -> Result<CivilDate, Uncovered> {
        var day = d
        for _ in 0..<60 {
            guard let w = isWorkday(day) else { return .failure(Uncovered(year: day.year)) }
            if w { return .success(day) }
            day = day.adding(days: 1)
        }
        return .failure(Uncovered(year: day.year))
    }

    public struct Uncovered: Error, Sendable, Equatable {
        public let year: Int
        public init(year: Int) { self.year = year }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

import Foundation

extension HolidayCalendar {
    /// The calendar shipped with the platform (the State Council announcements 2020–2026).
    public static func shipped() throws -> HolidayCalendar {
        guard let url = Bundle.module.url(forResource: "cn-holidays", withExtension: "csv") else {
            throw LoadError(line: 0, reason: "the shipped cn-holidays.csv resource is missing")
        }
        return try HolidayCalendar(csv: String(contentsOf: url, encoding: .utf8))
    }
}
