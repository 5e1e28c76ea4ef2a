/// Builds RFC 4180 CSV: a field is quoted when it holds a comma, quote, CR or LF (or starts or
/// ends with a space); lines end with LF.
public struct CSVWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func row(_ cells: [String]) {
        for (i, c) in cells.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            append(c)
        }
        bytes.append(0x0A)
    }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    private mutating func append(_ s: String) {
        var needsQuotes = false
        for b in s.utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        if let f = s.utf8.first, f == 0x20 || f == 0x09 { needsQuotes = true }
        if let l = s.utf8.last, l == 0x20 || l == 0x09 { needsQuotes = true }
        if !needsQuotes {
            bytes.append(contentsOf: s.utf8)
            return
        }
        bytes.append(0x22)
        for b in s.utf8 {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }
}
