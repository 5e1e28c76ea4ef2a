/// An exact instant, in whole seconds since 1970-01-01T00:00:00Z.
///
/// Source systems export China Standard Time (UTC+8) without an offset; the platform
/// stores instants and shows them in CST.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    /// China Standard Time offset, in seconds.
    public static let cstOffset: Int64 = 8 * 3600

    /// The instant of a wall-clock time in China Standard Time.
    public init(cst date: CivilDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Instant.cstOffset
    }

    /// The CST calendar date of this instant.
    public var cstDate: CivilDate {
        let local = seconds + Instant.cstOffset
        return CivilDate(daysSinceEpoch: Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400))
    }

    /// Seconds since CST midnight.
    public var cstSecondOfDay: Int {
        let local = seconds + Instant.cstOffset
        return Int(((local % 86_400) + 86_400) % 86_400)
    }

    public func adding(seconds s: Int64) -> Instant { Instant(seconds: seconds + s) }
    public func adding(minutes m: Int64) -> Instant { Instant(seconds: seconds + m * 60) }
    public func adding(hours h: Int64) -> Instant { Instant(seconds: seconds + h * 3600) }

    /// `YYYY-MM-DD HH:MM:SS` in CST: the interchange export form.
    public var cstString: String {
        let sod = cstSecondOfDay
        return "\(cstDate) \(Instant.two(sod / 3600)):\(Instant.two(sod / 60 % 60)):\(Instant.two(sod % 60))"
    }

    /// `YYYY-MM-DD HH:MM` in CST, for pages.
    public var cstMinuteString: String {
        let sod = cstSecondOfDay
        return "\(cstDate) \(Instant.two(sod / 3600)):\(Instant.two(sod / 60 % 60))"
    }

    /// ISO 8601 with `+08:00`.
    public var iso8601CST: String {
        let sod = cstSecondOfDay
        return "\(cstDate)T\(Instant.two(sod / 3600)):\(Instant.two(sod / 60 % 60)):\(Instant.two(sod % 60))+08:00"
    }

    public var description: String { cstString }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }

    /// Parses `YYYY-MM-DD HH:MM[:SS]` (CST) or ISO 8601 with an offset
    /// (`YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM|±HHMM)`); fractions of a second are dropped.
    /// Nil for anything else, including dates and times that do not exist.
    public static func parse(_ s: String) -> Instant? {
        var s = s
        return s.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes u: UnsafeBufferPointer<UInt8>) -> Instant? {
        guard u.count >= 16, u[4] == 45, u[7] == 45, u[10] == 32 || u[10] == 84 || u[10] == 116, u[13] == 58,
              let y = Digits.number(u, 0, 4), let mo = Digits.number(u, 5, 2), let d = Digits.number(u, 8, 2),
              let h = Digits.number(u, 11, 2), let mi = Digits.number(u, 14, 2),
              let date = CivilDate(year: y, month: mo, day: d), h < 24, mi < 60
        else { return nil }
        var i = 16
        var sec = 0
        if i < u.count, u[i] == 58 {
            guard let s2 = Digits.number(u, i + 1, 2), s2 < 60 else { return nil }
            sec = s2
            i += 3
            if i < u.count, u[i] == 46 || u[i] == 44 {
                i += 1
                let start = i
                while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
                guard i > start else { return nil }
            }
        }
        var offset = cstOffset
        if i < u.count {
            let c = u[i]
            if c == 90 || c == 122 {  // Z
                offset = 0
                i += 1
            } else if c == 43 || c == 45 {  // + -
                let sign: Int64 = c == 43 ? 1 : -1
                guard let oh = Digits.number(u, i + 1, 2), oh <= 14 else { return nil }
                var j = i + 3
                if j < u.count, u[j] == 58 { j += 1 }
                guard let om = Digits.number(u, j, 2), om < 60 else { return nil }
                offset = sign * Int64(oh * 3600 + om * 60)
                i = j + 2
            } else {
                return nil
            }
        }
        guard i == u.count else { return nil }
        let local = Int64(date.daysSinceEpoch) * 86_400 + Int64(h * 3600 + mi * 60 + sec)
        return Instant(seconds: local - offset)
    }
}
