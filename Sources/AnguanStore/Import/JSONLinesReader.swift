import Foundation

/// A JSON value of an interchange JSON Lines object.
enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object
    }

    /// The cell spelling of the value: lists joined by `;`, null as empty.
    var cell: String? {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): s
        case .array(let a):
            a.compactMap { $0.cell }.joined(separator: ";")
        case .object: nil
        }
    }
}

/// Streams a JSON Lines file, one object a line, and turns each into cells by field name.
public final class JSONLinesReader {
    private let lines: LineSplitter
    private let decoder = JSONDecoder()

    public init(path: String, onChunk: ((UnsafeRawBufferPointer) -> Void)? = nil) throws {
        lines = try LineSplitter(path: path, onChunk: onChunk)
    }

    /// The next object as (line, field → cell), or nil at the end. Blank lines are skipped.
    public func next() throws -> (line: Int, cells: [String: String], raw: String)? {
        while let (lineNo, bytes) = try lines.nextLine() {
            var b = bytes[...]
            while let l = b.last, l == 0x0D || l == 0x20 || l == 0x09 { b = b.dropLast() }
            while let f = b.first, f == 0x20 || f == 0x09 { b = b.dropFirst() }
            if b.isEmpty { continue }
            guard let text = b.withUnsafeBufferPointer({ UTF8Text.string($0) }) else {
                throw SyntaxProblem(line: lineNo, reason: "is not valid UTF-8 text", recoverable: true)
            }
            let object: [String: JSONValue]
            do {
                object = try decoder.decode([String: JSONValue].self, from: Data(b))
            } catch {
                throw SyntaxProblem(line: lineNo, reason: "is not a JSON object (\(Self.describe(error)))")
            }
            var cells: [String: String] = [:]
            for (k, v) in object {
                guard let c = v.cell else {
                    throw SyntaxProblem(line: lineNo, reason: "field \(k) holds a JSON object, not a value")
                }
                cells[k] = c
            }
            return (lineNo, cells, text)
        }
        return nil
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let ctx) = error {
            return (ctx.underlyingError as NSError?)?.localizedDescription ?? ctx.debugDescription
        }
        if case DecodingError.typeMismatch(_, let ctx) = error { return ctx.debugDescription }
        return "\(error)"
    }
}

/// Splits a file into physical lines, reading it in chunks; strips a leading UTF-8 BOM.
final class LineSplitter {
    private let file: ChunkedFile
    private var line = 0

    init(path: String, onChunk: ((UnsafeRawBufferPointer) -> Void)?) throws {
        file = try ChunkedFile(path: path, onChunk: onChunk)
    }

    func nextLine() throws -> (Int, [UInt8])? {
        while true {
            if let nl = file.buffer[file.pos..<file.end].firstIndex(of: 0x0A) {
                let l = Array(file.buffer[file.pos..<nl])
                file.pos = nl + 1
                line += 1
                return (line, l)
            }
            if !file.fill() {
                if let e = file.readError {
                    throw SyntaxProblem(line: line + 1, reason: "the file cannot be read past line \(line): \(e)")
                }
                if file.pos < file.end {
                    let l = Array(file.buffer[file.pos..<file.end])
                    file.pos = file.end
                    line += 1
                    return (line, l)
                }
                return nil
            }
        }
    }
}
