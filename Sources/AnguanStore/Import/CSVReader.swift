import Foundation

/// One record of a delimited file: its cells and the physical line where it starts (header = 1).
public struct RawRecord: Sendable {
    public var line: Int
    public var cells: [String]
    /// The record's original text, for the rejects file.
    public var rawText: String?
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
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var pos = 0
    private var eof = false
    private var line = 1
    private var first = true
    private var field: [UInt8] = []
    private let chunk = 1 << 20
    /// Called with every chunk read (for the file's SHA-256).
    private let onChunk: ((Data) -> Void)?

    public init(path: String, onChunk: ((Data) -> Void)? = nil) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        handle = h
        self.onChunk = onChunk
        field.reserveCapacity(256)
    }

    deinit { try? handle.close() }

    private func fill() -> Bool {
        if eof { return false }
        let data = handle.readData(ofLength: chunk)
        if data.isEmpty {
            eof = true
            return false
        }
        onChunk?(data)
        if pos < buffer.count {
            buffer.removeFirst(pos)
        } else {
            buffer.removeAll(keepingCapacity: true)
        }
        pos = 0
        buffer.append(contentsOf: data)
        if first {
            first = false
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { pos = 3 }
        }
        return true
    }

    @inline(__always) private func nextByte() -> UInt8? {
        if pos >= buffer.count, !fill() { return nil }
        let b = buffer[pos]
        pos += 1
        return b
    }

    private var badEncoding = false

    private func finishField(_ cells: inout [String], startLine: Int) throws {
        if let s = String(validating: field, as: UTF8.self) {
            cells.append(s)
        } else {
            badEncoding = true  // reported once the whole record is read, so the next one starts clean
            cells.append("")
        }
        field.removeAll(keepingCapacity: true)
    }

    private func record(_ startLine: Int, _ cells: [String], _ raw: [UInt8], _ keepRaw: Bool) throws -> RawRecord {
        if badEncoding {
            badEncoding = false
            throw SyntaxProblem(line: startLine, reason: "is not valid UTF-8 text", recoverable: true)
        }
        return RawRecord(line: startLine, cells: cells, rawText: keepRaw ? rawString(raw) : nil)
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public func next(keepRaw: Bool = false) throws -> RawRecord? {
        var cells: [String] = []
        var raw: [UInt8] = []
        field.removeAll(keepingCapacity: true)
        enum State { case start, unquoted, quoted, quoteInQuoted }
        var state = State.start
        let startLine = line
        var sawAnything = false
        while let b = nextByte() {
            if keepRaw { raw.append(b) }
            switch state {
            case .start, .unquoted:
                if b == 0x2C {  // ,
                    try finishField(&cells, startLine: startLine)
                    state = .start
                    sawAnything = true
                } else if b == 0x0A {  // \n
                    line += 1
                    if field.last == 0x0D { field.removeLast() }
                    if !sawAnything && field.isEmpty && cells.isEmpty {
                        raw.removeAll()
                        return try next(keepRaw: keepRaw)  // blank line
                    }
                    try finishField(&cells, startLine: startLine)
                    return try record(startLine, cells, raw, keepRaw)
                } else if b == 0x22 && state == .start {  // opening quote
                    state = .quoted
                    sawAnything = true
                } else {
                    field.append(b)
                    state = .unquoted
                }
            case .quoted:
                if b == 0x22 {
                    state = .quoteInQuoted
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
            case .quoteInQuoted:
                if b == 0x22 {
                    field.append(0x22)
                    state = .quoted
                } else if b == 0x2C {
                    try finishField(&cells, startLine: startLine)
                    state = .start
                } else if b == 0x0A {
                    line += 1
                    try finishField(&cells, startLine: startLine)
                    return try record(startLine, cells, raw, keepRaw)
                } else if b == 0x0D {
                    continue  // CR of a CRLF after a closing quote
                } else {
                    throw SyntaxProblem(line: line, reason: "unexpected character after a closing quote (a quote inside a quoted field must be doubled)")
                }
            }
        }
        // End of file.
        switch state {
        case .quoted:
            throw SyntaxProblem(line: startLine, reason: "unterminated quoted field (the quote opened here is never closed)")
        case .start where !sawAnything && cells.isEmpty && field.isEmpty:
            return nil
        default:
            if field.last == 0x0D { field.removeLast() }
            try finishField(&cells, startLine: startLine)
            return try record(startLine, cells, raw, keepRaw)
        }
    }

    private func rawString(_ raw: [UInt8]) -> String {
        var r = raw[...]
        while let l = r.last, l == 0x0A || l == 0x0D { r = r.dropLast() }
        return String(decoding: r, as: UTF8.self)
    }
}
