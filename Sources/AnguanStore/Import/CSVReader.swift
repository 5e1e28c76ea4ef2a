import Foundation

/// One record of a delimited file: its cells and the physical line where it starts (header = 1).
public struct RawRecord: Sendable {
    public var line: Int
    public var cells: [String]
}

/// A problem in the bytes of a file itself (quoting, encoding), located by line.
public struct SyntaxProblem: Error, Sendable {
    public let line: Int
    public let reason: String
    /// Whether reading can go on with the next record (a bad encoding) or the rest of the
    /// file cannot be trusted (broken quoting).
    public var recoverable = false
}

/// Streams an RFC 4180 file: quoted fields with doubled quotes and line breaks, CRLF or LF,
/// optional UTF-8 BOM. Reads the file in chunks, so memory stays flat whatever its size.
public final class CSVReader {
    private let file: ChunkedFile
    private var line = 1
    private var field: [UInt8] = []

    /// `onChunk` is called with every chunk read (for the file's SHA-256).
    public init(path: String, onChunk: ((Data) -> Void)? = nil) throws {
        file = try ChunkedFile(path: path, onChunk: onChunk)
        field.reserveCapacity(256)
    }

    private enum State { case start, unquoted, quoted, quoteInQuoted }

    /// Everything the scanner changes while it reads one record; kept in a value passed `inout`
    /// so the loops need no dynamic exclusivity checks.
    private struct Scan {
        /// The bytes of the current cell, used only when a cell spans a refill of the buffer or
        /// holds a doubled quote; otherwise a cell is made straight from the buffer.
        var field: [UInt8] = []
        var cells: [String] = []
        var state = State.start
        var lineNo: Int
        var sawAnything = false
        var badEncoding = false

        /// Ends the current cell: what `field` holds followed by `span`.
        mutating func finish(_ span: UnsafeBufferPointer<UInt8>) {
            let s: String?
            if field.isEmpty {
                s = UTF8Text.string(span)
            } else {
                field.append(contentsOf: span)
                s = field.withUnsafeBufferPointer { UTF8Text.string($0) }
                field.removeAll(keepingCapacity: true)
            }
            if let s {
                cells.append(s)
            } else {
                badEncoding = true  // reported once the whole record is read, so the next one starts clean
                cells.append("")
            }
        }

        mutating func finish() { finish(UnsafeBufferPointer(start: nil, count: 0)) }
    }

    private enum Outcome { case needMore, finished, blank, failure(SyntaxProblem) }

    /// Scans bytes from `start` until a record ends or the bytes run out. Unquoted cells and quoted
    /// cells without doubled quotes are found as spans of the buffer, not byte by byte.
    private static func scan(_ p: UnsafeBufferPointer<UInt8>, from start: Int, _ s: inout Scan) -> (Int, Outcome) {
        let n = p.count
        guard let base = p.baseAddress else { return (start, .needMore) }
        var i = start
        while i < n {
            switch s.state {
            case .start, .unquoted:
                if s.state == .start && p[i] == 0x22 {  // opening quote
                    s.state = .quoted
                    s.sawAnything = true
                    i += 1
                    continue
                }
                var j = i
                while j < n {
                    let b = p[j]
                    if b == 0x2C || b == 0x0A { break }
                    j += 1
                }
                if j == n {  // the cell goes on in the next chunk
                    s.field.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<n]))
                    s.state = .unquoted
                    return (n, .needMore)
                }
                if p[j] == 0x2C {  // ,
                    s.finish(UnsafeBufferPointer(rebasing: p[i..<j]))
                    s.state = .start
                    s.sawAnything = true
                    i = j + 1
                    continue
                }
                // \n, after an optional \r
                s.lineNo += 1
                var end = j
                if end > i, p[end - 1] == 0x0D {
                    end -= 1
                } else if end == i, s.field.last == 0x0D {
                    s.field.removeLast()
                }
                if !s.sawAnything && end == i && s.field.isEmpty && s.cells.isEmpty { return (j + 1, .blank) }
                s.finish(UnsafeBufferPointer(rebasing: p[i..<end]))
                s.state = .start
                return (j + 1, .finished)
            case .quoted:
                let q: Int
                if let hit = memchr(base + i, 0x22, n - i) {
                    q = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                } else {
                    q = n
                }
                var k = i
                while k < q {
                    if p[k] == 0x0A { s.lineNo += 1 }
                    k += 1
                }
                if q + 1 < n, p[q + 1] == 0x2C {  // closing quote, then ,
                    s.finish(UnsafeBufferPointer(rebasing: p[i..<q]))
                    s.state = .start
                    i = q + 2
                    continue
                }
                if q + 1 < n, p[q + 1] == 0x0A {  // closing quote, then \n
                    s.finish(UnsafeBufferPointer(rebasing: p[i..<q]))
                    s.lineNo += 1
                    s.state = .start
                    return (q + 2, .finished)
                }
                s.field.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<q]))
                if q == n { return (n, .needMore) }
                s.state = .quoteInQuoted
                i = q + 1
            case .quoteInQuoted:
                let b = p[i]
                i += 1
                if b == 0x22 {
                    s.field.append(0x22)
                    s.state = .quoted
                } else if b == 0x2C {
                    s.finish()
                    s.state = .start
                } else if b == 0x0A {
                    s.lineNo += 1
                    s.finish()
                    s.state = .start
                    return (i, .finished)
                } else if b != 0x0D {  // a CR of a CRLF after a closing quote is fine
                    return (i, .failure(SyntaxProblem(
                        line: s.lineNo,
                        reason: "unexpected character after a closing quote (a quote inside a quoted field must be doubled)")))
                }
            }
        }
        return (i, .needMore)
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public func next() throws -> RawRecord? {
        var cells: [String] = []
        guard let line = try next(into: &cells) else { return nil }
        return RawRecord(line: line, cells: cells)
    }

    /// Reads the next record's cells into `cells` (replacing what it held, keeping its storage) and
    /// returns the line where the record starts, or nil at the end of the file.
    public func next(into cells: inout [String]) throws -> Int? {
        while true {
            var s = Scan(lineNo: line)
            s.field = field
            s.field.removeAll(keepingCapacity: true)
            field = []
            cells.removeAll(keepingCapacity: true)
            s.cells = cells
            cells = []
            if s.cells.capacity < 24 { s.cells.reserveCapacity(24) }
            let startLine = line
            var outcome = Outcome.needMore
            while true {
                if file.pos >= file.buffer.count {
                    guard file.fill() else { break }
                }
                let from = file.pos
                let (end, o) = file.buffer.withUnsafeBufferPointer { Self.scan($0, from: from, &s) }
                file.pos = end
                outcome = o
                if case .needMore = o { continue }
                break
            }
            line = s.lineNo
            switch outcome {
            case .blank:
                field = s.field
                cells = s.cells
                continue
            case .failure(let p):
                field = s.field
                throw p
            case .finished:
                break
            case .needMore:  // end of file
                switch s.state {
                case .quoted:
                    throw SyntaxProblem(line: startLine, reason: "unterminated quoted field (the quote opened here is never closed)")
                case .start where !s.sawAnything && s.cells.isEmpty && s.field.isEmpty:
                    return nil
                default:
                    if s.state == .unquoted, s.field.last == 0x0D { s.field.removeLast() }
                    s.finish()
                }
            }
            field = s.field
            cells = s.cells
            if s.badEncoding {
                throw SyntaxProblem(line: startLine, reason: "is not valid UTF-8 text", recoverable: true)
            }
            return startLine
        }
    }
}
