import Dispatch
import Foundation
import Synchronization

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

/// Records scanned from a file: the unescaped bytes of every cell back to back, where each cell
/// ends, where each record's cells begin, and the line each record starts on. Text is made from
/// it by the reader's user, so the scanning can run ahead on another thread.
struct CSVBlock: Sendable {
    var bytes: [UInt8] = []
    /// The end offset in `bytes` of each cell.
    var cellEnds: [Int] = []
    /// The index in `cellEnds` of each record's first cell.
    var recordStarts: [Int] = []
    var lines: [Int] = []
    /// What ended the block after its records, when the rest of the file cannot be trusted.
    var problem: SyntaxProblem?
    /// The file has no more records after this block (or after its problem).
    var finished = false

    var count: Int { lines.count }

    /// Empties the block, keeping its storage for the next records.
    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
        cellEnds.removeAll(keepingCapacity: true)
        recordStarts.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        problem = nil
        finished = false
    }

    mutating func reserve(records n: Int) {
        recordStarts.reserveCapacity(n)
        lines.reserveCapacity(n)
        cellEnds.reserveCapacity(n * 16)
    }

    /// The cells of record `r` as text into `cells`; false (and empty cells) when one is not UTF-8.
    /// (Mutating only so that a reader's block is used in place, not copied for every record.)
    mutating func strings(of r: Int, into cells: inout [String]) -> Bool {
        cells.removeAll(keepingCapacity: true)
        let first = recordStarts[r]
        let end = r + 1 < recordStarts.count ? recordStarts[r + 1] : cellEnds.count
        var valid = true
        bytes.withUnsafeBufferPointer { b in
            var start = first == 0 ? 0 : cellEnds[first - 1]
            for c in first..<end {
                let stop = cellEnds[c]
                if let s = UTF8Text.string(UnsafeBufferPointer(rebasing: b[start..<stop])) {
                    cells.append(s)
                } else {
                    valid = false
                    cells.append("")
                }
                start = stop
            }
        }
        return valid
    }
}

/// Streams an RFC 4180 file: quoted fields with doubled quotes and line breaks, CRLF or LF,
/// optional UTF-8 BOM. Reads the file in chunks, so memory stays flat whatever its size.
///
/// With `readAhead`, the next blocks of records (up to `aheadBlocks`) are scanned on a queue of their
/// own while the caller turns the current one into text; the scanner's state is only ever touched
/// on that queue.
public final class CSVReader: @unchecked Sendable {
    private let file: ChunkedFile
    private var scan = Scan()
    /// The block being handed out, and the next record in it.
    private var current = CSVBlock()
    private var cursor = 0
    private var done = false
    private let readAhead: DispatchQueue?
    /// Blocks scanned ahead, handed from the read-ahead queue to the reader.
    private let ahead = Mutex(Ahead())
    /// Signalled by the read-ahead queue when the reader waits for a block.
    private let blockReady = DispatchSemaphore(value: 0)
    static let blockRecords = 1024
    /// How many blocks the read-ahead queue scans before the reader takes them. More than one, so
    /// that a scan delayed by the other threads does not stall the reader at once.
    static let aheadBlocks = 4

    private struct Ahead {
        /// Scanned, in file order, not yet handed out.
        var ready: [CSVBlock] = []
        /// Consumed blocks whose storage the next scans reuse.
        var spares: [CSVBlock] = []
        /// A scan is running or scheduled. (With the file not ended and nothing ready, one always is.)
        var scanning = false
        /// The file's last block is scanned.
        var ended = false
        /// The reader waits on `blockReady`.
        var waiting = false
    }

    /// `onChunk` is called with every chunk read (for the file's SHA-256).
    public init(path: String, readAhead: Bool = false, onChunk: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil) throws {
        file = try ChunkedFile(path: path, onChunk: onChunk)
        self.readAhead = readAhead ? DispatchQueue(label: "anguan.import.csv-read-ahead") : nil
        if readAhead { startReadingAhead() }
    }

    private enum State { case start, unquoted, quoted, quoteInQuoted }

    /// What the scanner carries from one buffer to the next.
    private struct Scan {
        var state = State.start
        var lineNo = 1
        var sawAnything = false
        /// Where the current cell's and record's bytes and cells begin in the block.
        var cellStart = 0
        var recordBytes = 0
        var recordCells = 0

        mutating func endCell(_ block: inout CSVBlock) {
            block.cellEnds.append(block.bytes.count)
            cellStart = block.bytes.count
        }

        mutating func beginRecord(_ block: CSVBlock) {
            state = .start
            sawAnything = false
            cellStart = block.bytes.count
            recordBytes = block.bytes.count
            recordCells = block.cellEnds.count
        }
    }

    private enum Outcome { case needMore, finished, blank, failure(SyntaxProblem) }

    /// Scans bytes from `start` until a record ends or the bytes run out. Unquoted cells and the runs
    /// of quoted cells between quotes are copied as spans of the buffer, not byte by byte.
    private static func scan(_ p: UnsafeBufferPointer<UInt8>, from start: Int, _ s: inout Scan,
                             _ block: inout CSVBlock) -> (Int, Outcome) {
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
                    block.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<n]))
                    s.state = .unquoted
                    return (n, .needMore)
                }
                if p[j] == 0x2C {  // ,
                    block.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<j]))
                    s.endCell(&block)
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
                } else if end == i, block.bytes.count > s.cellStart, block.bytes.last == 0x0D {
                    block.bytes.removeLast()
                }
                if !s.sawAnything && end == i && block.bytes.count == s.cellStart && block.cellEnds.count == s.recordCells {
                    return (j + 1, .blank)
                }
                block.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<end]))
                s.endCell(&block)
                return (j + 1, .finished)
            case .quoted:
                let q: Int
                if let hit = memchr(base + i, 0x22, n - i) {
                    q = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                } else {
                    q = n
                }
                var k = i
                while k < q, let nl = memchr(base + k, 0x0A, q - k) {  // line breaks inside the quotes
                    s.lineNo += 1
                    k = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
                }
                block.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<q]))
                if q + 1 < n, p[q + 1] == 0x2C {  // closing quote, then ,
                    s.endCell(&block)
                    s.state = .start
                    i = q + 2
                    continue
                }
                if q + 1 < n, p[q + 1] == 0x0A {  // closing quote, then \n
                    s.endCell(&block)
                    s.lineNo += 1
                    return (q + 2, .finished)
                }
                if q == n { return (n, .needMore) }
                s.state = .quoteInQuoted
                i = q + 1
            case .quoteInQuoted:
                let b = p[i]
                i += 1
                if b == 0x22 {
                    block.bytes.append(0x22)
                    s.state = .quoted
                } else if b == 0x2C {
                    s.endCell(&block)
                    s.state = .start
                } else if b == 0x0A {
                    s.lineNo += 1
                    s.endCell(&block)
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

    /// Scans up to `max` records into a block (`reusing` the storage of a consumed one).
    private func scanBlock(max: Int, reusing: CSVBlock?) -> CSVBlock {
        var block = reusing ?? CSVBlock()
        block.clear()
        block.reserve(records: max)
        var s = scan
        defer { scan = s }
        while block.count < max {
            let startLine = s.lineNo
            s.beginRecord(block)
            var outcome = Outcome.needMore
            while true {
                if file.pos >= file.end {
                    guard file.fill() else { break }
                }
                let from = file.pos, valid = file.end
                let (end, o) = file.buffer.withUnsafeBufferPointer {
                    Self.scan(UnsafeBufferPointer(rebasing: $0[..<valid]), from: from, &s, &block)
                }
                file.pos = end
                outcome = o
                if case .needMore = o { continue }
                break
            }
            var problem: SyntaxProblem?
            switch outcome {
            case .blank:
                continue
            case .finished:
                break
            case .failure(let p):
                problem = p
            case .needMore:  // end of file
                block.finished = true
                if let e = file.readError {
                    problem = SyntaxProblem(line: startLine, reason: "the file cannot be read from this line on: \(e)")
                    break
                }
                switch s.state {
                case .quoted:
                    problem = SyntaxProblem(line: startLine,
                                            reason: "unterminated quoted field (the quote opened here is never closed)")
                case .start where !s.sawAnything && block.cellEnds.count == s.recordCells && block.bytes.count == s.cellStart:
                    return block
                default:
                    if s.state == .unquoted, block.bytes.count > s.cellStart, block.bytes.last == 0x0D { block.bytes.removeLast() }
                    s.endCell(&block)
                }
            }
            if let problem {
                // The broken record is dropped, and the rest of the file cannot be trusted.
                block.bytes.removeSubrange(s.recordBytes...)
                block.cellEnds.removeSubrange(s.recordCells...)
                block.problem = problem
                block.finished = true
                return block
            }
            block.recordStarts.append(s.recordCells)
            block.lines.append(startLine)
            if block.finished { return block }
        }
        return block
    }

    private func startReadingAhead() {
        ahead.withLock { $0.scanning = true }
        scheduleScans()
    }

    /// Scans blocks on the read-ahead queue until `aheadBlocks` wait or the file ends. (The closure
    /// holds the reader until then, so the file outlives it.)
    private func scheduleScans() {
        readAhead?.async { [self] in
            var more = true
            while more {
                let reuse = ahead.withLock { $0.spares.popLast() }
                let block = scanBlock(max: Self.blockRecords, reusing: reuse)
                let wake: Bool
                (more, wake) = ahead.withLock { a in
                    a.ready.append(block)
                    if block.finished { a.ended = true }
                    let more = !block.finished && a.ready.count < Self.aheadBlocks
                    if !more { a.scanning = false }
                    defer { a.waiting = false }
                    return (more, a.waiting)
                }
                if wake { blockReady.signal() }
            }
        }
    }

    /// Makes the next block current: the first one read ahead (waiting for it), or one read now.
    private func advance() {
        if readAhead != nil {
            var used: CSVBlock? = current
            current = CSVBlock()
            while true {
                let (block, restart) = ahead.withLock { a -> (CSVBlock?, Bool) in
                    if let u = used { a.spares.append(u) }
                    used = nil
                    guard !a.ready.isEmpty else {
                        if a.ended && !a.scanning {  // (not reached: the last block says it is finished)
                            var end = CSVBlock()
                            end.finished = true
                            return (end, false)
                        }
                        a.waiting = true
                        return (nil, false)
                    }
                    let block = a.ready.removeFirst()
                    let restart = !a.scanning && !a.ended && a.ready.count < Self.aheadBlocks
                    if restart { a.scanning = true }
                    return (block, restart)
                }
                if restart { scheduleScans() }
                if let block {
                    current = block
                    break
                }
                blockReady.wait()
            }
        } else {
            let reuse = current
            current = CSVBlock()
            current = scanBlock(max: Self.blockRecords, reusing: reuse)
        }
        cursor = 0
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
        while cursor >= current.count {
            if let p = current.problem {
                current.problem = nil
                done = true
                throw p
            }
            if done || current.finished {
                done = true
                return nil
            }
            advance()
        }
        let r = cursor
        cursor += 1
        if !current.strings(of: r, into: &cells) {
            throw SyntaxProblem(line: current.lines[r], reason: "is not valid UTF-8 text", recoverable: true)
        }
        return current.lines[r]
    }
}
