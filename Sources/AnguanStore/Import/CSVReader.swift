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
    /// so the per-byte loop needs no dynamic exclusivity checks.
    private struct Scan {
        var field: [UInt8] = []
        var cells: [String] = []
        var state = State.start
        var lineNo: Int
        var sawAnything = false
        var badEncoding = false

        mutating func finish() {
            let s = field.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
            if let s {
                cells.append(s)
            } else {
                badEncoding = true  // reported once the whole record is read, so the next one starts clean
                cells.append("")
            }
            field.removeAll(keepingCapacity: true)
        }
    }

    private enum Outcome { case needMore, finished, blank, failure(SyntaxProblem) }

    /// Scans bytes from `start` until a record ends or the bytes run out.
    private static func scan(_ p: UnsafeBufferPointer<UInt8>, from start: Int, _ s: inout Scan) -> (Int, Outcome) {
        var i = start
        while i < p.count {
            let b = p[i]
            i += 1
            switch s.state {
            case .start, .unquoted:
                if b == 0x2C {  // ,
                    s.finish()
                    s.state = .start
                    s.sawAnything = true
                } else if b == 0x0A {  // \n
                    s.lineNo += 1
                    if s.field.last == 0x0D { s.field.removeLast() }
                    if !s.sawAnything && s.field.isEmpty && s.cells.isEmpty { return (i, .blank) }
                    s.finish()
                    return (i, .finished)
                } else if b == 0x22 && s.state == .start {  // opening quote
                    s.state = .quoted
                    s.sawAnything = true
                } else {
                    s.field.append(b)
                    s.state = .unquoted
                }
            case .quoted:
                if b == 0x22 {
                    s.state = .quoteInQuoted
                } else {
                    if b == 0x0A { s.lineNo += 1 }
                    s.field.append(b)
                }
            case .quoteInQuoted:
                if b == 0x22 {
                    s.field.append(0x22)
                    s.state = .quoted
                } else if b == 0x2C {
                    s.finish()
                    s.state = .start
                } else if b == 0x0A {
                    s.lineNo += 1
                    s.finish()
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
        while true {
            var s = Scan(lineNo: line)
            s.field = field
            s.field.removeAll(keepingCapacity: true)
            s.cells.reserveCapacity(24)
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
            field = s.field
            switch outcome {
            case .blank:
                continue
            case .failure(let p):
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
                    if s.field.last == 0x0D { s.field.removeLast() }
                    s.finish()
                }
            }
            if s.badEncoding {
                throw SyntaxProblem(line: startLine, reason: "is not valid UTF-8 text", recoverable: true)
            }
            return RawRecord(line: startLine, cells: s.cells)
        }
    }
}
