import AnguanStore
import Foundation
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    /// A file of these bytes in the temporary folder, removed by the caller.
    static func temporaryFile(_ bytes: Data) throws -> String {
        let path = NSTemporaryDirectory() + "anguan-csv-\(UUID().uuidString.prefix(8)).csv"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    static let pieces = ["JQ2026000123", "南大街派出所", "", "a,b", "他说：\"我没拿\"", "问：姓名？\n答：张三。", "line\r\nbreak",
                         "2026-03-02 08:00", " spaced ", "x", String(repeating: "长文本", count: 400), "\"", ",", "末尾\r"]

    /// Writes `count` random records (every kind of quoting, LF and CRLF line ends, cells much longer
    /// than a line) and reads them back: every cell and every starting line must come back exactly,
    /// wherever the 1 MB read chunks happen to cut the file.
    @Test("cells and line numbers survive quoting, CRLF and chunk boundaries, read ahead or not",
          arguments: [1, 2, 3], [false, true])
    func randomFiles(seed: UInt64, readAhead: Bool) throws {
        var rng = SeededRandom(seed: seed)
        var text = "id,a,b,c\n"
        var expected: [(line: Int, cells: [String])] = []
        var line = 2
        while text.utf8.count < 3_000_000 {
            var cells = ["R\(expected.count)"]
            for _ in 0..<3 {
                var cell = Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))]
                if rng.next() % 4 == 0 { cell += Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))] }
                cells.append(cell)
            }
            let encoded = cells.map { c -> String in
                let mustQuote = c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")
                if mustQuote || rng.next() % 5 == 0 { return "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
                return c
            }
            expected.append((line, cells))
            let row = encoded.joined(separator: ",") + (rng.next() % 2 == 0 ? "\n" : "\r\n")
            line += row.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            text += row
            if rng.next() % 50 == 0 {
                text += "\n"  // a blank line is skipped
                line += 1
            }
        }
        let path = try Self.temporaryFile(Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, readAhead: readAhead)
        #expect(try reader.next()?.cells == ["id", "a", "b", "c"])
        var n = 0
        while let rec = try reader.next() {
            let want = expected[n]
            #expect(rec.line == want.line, "record \(n)")
            #expect(rec.cells == want.cells, "record \(n) on line \(want.line)")
            if rec.cells != want.cells { break }
            n += 1
        }
        #expect(n == expected.count)
    }

    @Test("a record longer than a read chunk comes back whole, and so do the records around it",
          arguments: [false, true])
    func recordLongerThanAChunk(readAhead: Bool) throws {
        let long = String(repeating: "问：你叫什么名字？\n答：张三。\n", count: 60_000)  // about 2.5 MB
        #expect(long.utf8.count > 2 << 20)
        let text = "id,text\nA,short\nB,\"\(long)\"\nC,after\n"
        let path = try Self.temporaryFile(Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, readAhead: readAhead)
        #expect(try reader.next()?.cells == ["id", "text"])
        #expect(try reader.next()?.cells == ["A", "short"])
        let b = try reader.next()
        #expect(b?.line == 3 && b?.cells == ["B", long])
        let c = try reader.next()
        #expect(c?.line == 3 + 120_000 + 1 && c?.cells == ["C", "after"])  // B's line breaks, then its own
        #expect(try reader.next() == nil)
    }

    @Test("a cell that is not UTF-8 is refused on its line, and reading goes on", arguments: [false, true])
    func badEncoding(readAhead: Bool) throws {
        var bytes = Array("id,name\nA,ok\nB,".utf8)
        bytes += [0xE5, 0x8D]  // a truncated 3-byte sequence
        bytes += Array("\nC,\"fine\"\n".utf8)
        let path = try Self.temporaryFile(Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, readAhead: readAhead)
        _ = try reader.next()
        #expect(try reader.next()?.cells == ["A", "ok"])
        #expect {
            _ = try reader.next()
        } throws: { error in
            (error as? SyntaxProblem)?.line == 3 && (error as? SyntaxProblem)?.reason == "is not valid UTF-8 text"
        }
        let last = try reader.next()
        #expect(last?.cells == ["C", "fine"] && last?.line == 4)
    }

    @Test("broken quoting ends the file with its line, after the records before it", arguments: [false, true])
    func brokenQuoting(readAhead: Bool) throws {
        let path = try Self.temporaryFile(Data("id,name\nA,ok\nB,\"bad\"x,1\nC,never\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, readAhead: readAhead)
        _ = try reader.next()
        #expect(try reader.next()?.cells == ["A", "ok"])
        #expect {
            _ = try reader.next()
        } throws: { error in
            (error as? SyntaxProblem)?.line == 3 && (error as? SyntaxProblem)?.recoverable == false
        }
        #expect(try reader.next() == nil)
    }
}
