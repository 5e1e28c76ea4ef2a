/// 公民身份号码 (GB 11643-1999): 17 digits and a check digit (0–9 or X).
public enum IDNumber {
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkChars: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// The check digit for the first 17 digits.
    public static func checkDigit(_ first17: String) -> Character? {
        let u = Array(first17.utf8)
        guard u.count == 17 else { return nil }
        var sum = 0
        for (i, c) in u.enumerated() {
            guard c >= 48, c <= 57 else { return nil }
            sum += Int(c - 48) * weights[i]
        }
        return checkChars[sum % 11]
    }

    /// Why the number is invalid, or nil when it is valid. Lower-case `x` is accepted.
    public static func problem(_ s: String) -> String? {
        let up = s.uppercased()
        guard up.utf8.count == 18 else { return "must have 18 characters" }
        let first17 = String(up.prefix(17))
        guard let expected = checkDigit(first17) else { return "the first 17 characters must be digits" }
        guard birthDate(up) != nil else { return "the birth date in it (characters 7–14) does not exist" }
        guard up.last == expected else { return "check digit is \(up.last!), expected \(expected) (GB 11643)" }
        return nil
    }

    /// The canonical spelling (upper-case X).
    public static func canonical(_ s: String) -> String { s.uppercased() }

    /// The birth date held in characters 7–14.
    public static func birthDate(_ s: String) -> CivilDate? {
        let u = Array(s.utf8)
        guard u.count == 18, let y = Digits.number(u, 6, 4), let m = Digits.number(u, 10, 2),
              let d = Digits.number(u, 12, 2)
        else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    /// Makes a valid number from a 6-digit region code, a birth date and a 3-digit sequence.
    public static func make(region: String, birth: CivilDate, sequence: Int) -> String {
        let seq = String(sequence % 1000)
        let body = region + String(birth.description.filter { $0 != "-" })
            + String(repeating: "0", count: 3 - seq.count) + seq
        return body + String(checkDigit(body)!)
    }
}
